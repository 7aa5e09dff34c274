/**
 * OCI SDK failures in the two error families: 429, 5xx, 409 conflicts of a resource that is
 * busy, and network trouble are the infrastructure's (InfraError, retried by the activity's
 * policy); a request OCI refused as unauthenticated, unauthorised, missing or invalid is the
 * user's (UserError, with what to fix). Neither is ever a kernel finding.
 */
import { InfraError, UserError, isInfraError, isUserError } from '../../../src/domain/errors';

/** What the user can do about a service code. */
const USER: Record<string, string> = {
  NotAuthenticated: 'OCI refused the API key: check OCI_CLI_USER, OCI_CLI_FINGERPRINT and that the public key is uploaded to that user',
  NotAuthorizedOrNotFound: 'it does not exist, or the worker\'s group lacks the policy for it: check the OCID and terraform/oci/worker-policy.txt',
  NotAuthorized: 'the worker\'s group lacks a policy statement: see terraform/oci/worker-policy.txt',
  InvalidParameter: 'OCI refused a parameter value: check the value named above',
  MissingParameter: 'OCI needs a parameter that was not given',
  LimitExceeded: 'a service limit of the tenancy is reached: raise it or clean up (rcdebug janitor sweep --cloud oci)',
  BucketNotFound: 'the bucket does not exist in this namespace: create it (docs/oci.md) or fix RCDEBUG_OCI_BUCKET',
  NamespaceNotFound: 'the Object Storage namespace is wrong: fix or unset RCDEBUG_OCI_NAMESPACE',
};

/** Service codes that retrying may fix. */
const TRANSIENT = new Set(['TooManyRequests', 'InternalServerError', 'ServiceUnavailable', 'IncorrectState', 'Conflict']);

interface OciErrorLike {
  statusCode?: number;
  serviceCode?: string;
  message?: string;
  code?: string;
  cause?: { code?: string };
}

/** True for throttling, 5xx, a resource busy in another state, and network failures. */
export function isTransientOciError(err: unknown): boolean {
  const e = (err ?? {}) as OciErrorLike;
  const status = e.statusCode;
  if (status !== undefined && (status === 429 || status >= 500 || status === -1)) return true;
  if (e.serviceCode && TRANSIENT.has(e.serviceCode)) return true;
  const sys = e.code ?? e.cause?.code;
  return Boolean(sys && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|UND_ERR_SOCKET)$/.test(sys));
}

/** The HTTP status of an OCI error (404, 412...), if it is one. */
export function ociStatus(err: unknown): number | undefined {
  return (err as OciErrorLike | undefined)?.statusCode;
}

/** Classifies the failure of `what` (e.g. `Compute GetImage ocid1...`); classified errors pass through. */
export function classifyOciError(err: unknown, what: string, field?: string): UserError | InfraError {
  if (isUserError(err) || isInfraError(err)) return err;
  const e = (err ?? {}) as OciErrorLike;
  const code = e.serviceCode ?? e.code ?? 'Error';
  const message = (e.message ?? String(err)).split('\n')[0];
  if (isTransientOciError(err)) {
    return new InfraError(`${what}: ${e.statusCode ?? ''} ${code} (${message}); OCI throttled the call or had a transient failure, the step will be retried`, err);
  }
  const hint = USER[code] ?? (e.statusCode === 400 ? USER.InvalidParameter : undefined);
  if (hint) return new UserError(`${what}: ${code}: ${message} (${hint})`, field ?? what, hint);
  return new InfraError(`${what}: ${e.statusCode ?? ''} ${code}: ${message}`, err);
}

/** Runs one OCI call and classifies its failure; `field` names the input a 404/400 points at. */
export async function oci<T>(what: string, call: () => Promise<T>, field?: string): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw classifyOciError(err, what, field);
  }
}

/** Runs one OCI call; a 404 gives undefined (a thing already gone), other failures are classified. */
export async function ociMaybe<T>(what: string, call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (err) {
    if (ociStatus(err) === 404) return undefined;
    throw classifyOciError(err, what);
  }
}
