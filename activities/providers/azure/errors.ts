/**
 * Turns Azure SDK failures into the two error families: 429, 5xx and network trouble are the
 * infrastructure's (InfraError, retried by the activity's policy); missing or expired
 * credentials, denied access and things that do not exist are the user's (UserError, with what
 * to fix). Neither is ever a kernel finding.
 */
import { InfraError, UserError, isInfraError, isUserError } from '../../../src/domain/errors';

const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'REQUEST_SEND_ERROR']);

/** ARM error codes that are the user's, and what to do. */
const USER: Record<string, string> = {
  ExpiredAuthenticationToken: 'the Azure token expired: refresh the worker\'s credentials (az login, or a new client secret) and retry the step',
  InvalidAuthenticationTokenTimeout: 'the Azure token expired: refresh the worker\'s credentials and retry the step',
  InvalidAuthenticationToken: 'Azure refused the token: check AZURE_TENANT_ID / AZURE_CLIENT_ID and the credential',
  AuthenticationFailed: 'Azure could not authenticate the worker: check its credentials',
  AuthorizationFailed: 'the worker\'s identity lacks a permission: assign it the role of terraform/azure/worker-role.json',
  SubscriptionNotFound: 'the subscription does not exist or the identity cannot see it: check AZURE_SUBSCRIPTION_ID',
  InvalidSubscriptionId: 'AZURE_SUBSCRIPTION_ID is not a subscription id',
  ResourceGroupNotFound: 'the resource group does not exist: create it (docs/azure.md) or fix RCDEBUG_AZURE_RESOURCE_GROUP',
  ResourceNotFound: 'the resource does not exist: check its name, the resource group and the region',
  NotFound: 'the resource does not exist: check its name and the region',
  GalleryNotFound: 'the Compute Gallery does not exist: create it (docs/azure.md) or fix RCDEBUG_AZURE_GALLERY',
  GalleryImageNotFound: 'the gallery image definition does not exist: create it (docs/azure.md, one per flavor)',
  SkuNotAvailable: 'the VM size is not offered in this region: pick another RCDEBUG_AZURE_VM_SIZE or region',
  InvalidParameter: 'Azure refused a parameter value: check the value named above',
  KeyNotFound: 'the App Configuration key does not exist',
  Forbidden: 'the worker\'s identity may not do this: assign it the role of terraform/azure/worker-role.json',
  SecretNotFound: 'the Key Vault secret does not exist: was the cluster provisioned?',
};

/** The code of an SDK error: the ARM error code, else the RestError code. */
export function azureErrorCode(err: unknown): string | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const e = err as { code?: string; details?: { error?: { code?: string } }; response?: { bodyAsText?: string } };
  if (e.details?.error?.code) return e.details.error.code;
  const body = e.response?.bodyAsText;
  if (body) {
    try {
      const code = (JSON.parse(body) as { error?: { code?: string } }).error?.code;
      if (code) return code;
    } catch {
      // not JSON
    }
  }
  return e.code;
}

/** The HTTP status of an SDK error, if it got an answer. */
export function azureStatus(err: unknown): number | undefined {
  return (err as { statusCode?: number } | undefined)?.statusCode;
}

/** True for 429, 5xx and network failures. */
export function isTransientAzureError(err: unknown): boolean {
  const status = azureStatus(err);
  if (status !== undefined && (status === 429 || status >= 500 || status === 408)) return true;
  const code = azureErrorCode(err) ?? (err as { cause?: { code?: string } } | undefined)?.cause?.code;
  return Boolean(code && NETWORK.has(code));
}

/**
 * Classifies an SDK failure of `what` (e.g. `Compute galleryImageVersions.get ...`). Errors
 * already classified pass through; unknown ones become InfraErrors so the step is retried and
 * then parked for the operator.
 */
export function classifyAzureError(err: unknown, what: string): UserError | InfraError {
  if (isUserError(err) || isInfraError(err)) return err;
  const code = azureErrorCode(err) ?? 'Error';
  const status = azureStatus(err);
  const message = ((err as Error | undefined)?.message ?? String(err)).split('\n')[0];
  const name = (err as Error | undefined)?.name;
  if (['CredentialUnavailableError', 'AggregateAuthenticationError', 'AuthenticationRequiredError', 'AuthenticationError'].includes(name ?? '')) {
    return new UserError(`${what}: no usable Azure credentials (${message}): az login, or set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or a managed identity) on the worker`, 'Azure credentials');
  }
  if (isTransientAzureError(err)) {
    return new InfraError(`${what}: ${status ?? ''} ${code} (${message}); Azure throttled the call or had a transient failure, the step will be retried`.replace(':  ', ': '), err);
  }
  const hint = USER[code] ?? (status === 401 ? USER.AuthenticationFailed : status === 403 ? USER.Forbidden : status === 404 ? USER.NotFound : undefined);
  if (hint) return new UserError(`${what}: ${code}: ${message} (${hint})`, what, hint);
  return new InfraError(`${what}: ${code}: ${message}`, err);
}

/** Runs one Azure call and classifies its failure. */
export async function azure<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw classifyAzureError(err, what);
  }
}

/** Like `azure`, but a 404 gives undefined (things that may not exist yet). */
export async function azureMaybe<T>(what: string, call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (err) {
    if (azureStatus(err) === 404) return undefined;
    throw classifyAzureError(err, what);
  }
}
