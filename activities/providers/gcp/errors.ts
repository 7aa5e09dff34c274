/**
 * Turns Google API failures into the two error families. 429 (RESOURCE_EXHAUSTED), 5xx
 * (UNAVAILABLE, INTERNAL, DEADLINE_EXCEEDED) and network trouble are the infrastructure's:
 * an InfraError, retried (a few times here, honouring Retry-After, then by the activity's
 * policy). Missing or expired credentials, denied access, bad arguments and things that do not
 * exist are the user's: a UserError with what to fix. Neither is ever a kernel finding.
 */
import { InfraError, UserError, isInfraError, isUserError } from '../../../src/domain/errors';

/** gRPC status codes as the Google clients report them (also on REST, mapped from HTTP). */
const GRPC = { INVALID_ARGUMENT: 3, DEADLINE_EXCEEDED: 4, NOT_FOUND: 5, ALREADY_EXISTS: 6, PERMISSION_DENIED: 7, RESOURCE_EXHAUSTED: 8, FAILED_PRECONDITION: 9, ABORTED: 10, INTERNAL: 13, UNAVAILABLE: 14, UNAUTHENTICATED: 16 } as const;
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET']);

interface GoogleLikeError {
  code?: number | string;
  status?: number;
  response?: { status?: number; headers?: Record<string, string> | { get?(k: string): string | null } };
  message?: string;
  cause?: { code?: string };
}

/** The HTTP status of a failure: `code` for storage/REST errors, mapped from gRPC codes otherwise. */
export function httpStatusOf(err: unknown): number | undefined {
  const e = err as GoogleLikeError | undefined;
  if (!e || typeof e !== 'object') return undefined;
  const direct = e.response?.status ?? e.status ?? (e as { httpStatusCode?: number }).httpStatusCode;
  if (typeof direct === 'number') return direct;
  if (typeof e.code === 'number') {
    if (e.code >= 100) return e.code;
    const byGrpc: Record<number, number> = {
      [GRPC.INVALID_ARGUMENT]: 400, [GRPC.FAILED_PRECONDITION]: 400, [GRPC.UNAUTHENTICATED]: 401, [GRPC.PERMISSION_DENIED]: 403,
      [GRPC.NOT_FOUND]: 404, [GRPC.ALREADY_EXISTS]: 409, [GRPC.ABORTED]: 409, [GRPC.RESOURCE_EXHAUSTED]: 429,
      [GRPC.INTERNAL]: 500, [GRPC.UNAVAILABLE]: 503, [GRPC.DEADLINE_EXCEEDED]: 504,
    };
    return byGrpc[e.code];
  }
  return undefined;
}

/** True for 429, 5xx and network failures. */
export function isTransientGcpError(err: unknown): boolean {
  const status = httpStatusOf(err);
  if (status !== undefined) return status === 429 || status >= 500;
  const e = err as GoogleLikeError | undefined;
  const sys = typeof e?.code === 'string' ? e.code : e?.cause?.code;
  return Boolean(sys && NETWORK.has(sys));
}

/** Seconds the server asked to wait (Retry-After), if it said. */
export function retryAfterSeconds(err: unknown): number | undefined {
  const h = (err as GoogleLikeError | undefined)?.response?.headers;
  const raw = h && (typeof (h as { get?: unknown }).get === 'function' ? (h as { get(k: string): string | null }).get('retry-after') : (h as Record<string, string>)['retry-after']);
  if (raw) return Number(raw) || undefined;
  // The REST fallback of the Google clients keeps only the message; the stand-in and GCP put the delay there too.
  const m = /retry after (\d+) ?s/i.exec((err as Error | undefined)?.message ?? '');
  return m ? Number(m[1]) : undefined;
}

const USER: Record<number, string> = {
  400: 'GCP refused the request as invalid: check the value named above',
  401: 'the Google credentials are missing, invalid or expired: run `gcloud auth application-default login` (or refresh GOOGLE_OAUTH_ACCESS_TOKEN) on the worker, then retry the step',
  403: 'the worker\'s service account lacks a permission: grant the role in terraform/gcp/worker-role.yaml, or use another account',
  404: 'it does not exist in this project or zone: check the name, the project and the zone',
  409: 'it already exists or was changed meanwhile',
};

/** Classifies a failure of `what` (e.g. `compute images.getFromFamily rcdebug-kasan`). Classified errors pass through. */
export function classifyGcpError(err: unknown, what: string): UserError | InfraError {
  if (isUserError(err) || isInfraError(err)) return err;
  const message = ((err as Error | undefined)?.message ?? String(err)).split('\n')[0] ?? '';
  if (/Could not load the default credentials|Unable to detect a Project Id|invalid_grant|Could not refresh access token/i.test(message)) {
    return new UserError(`${what}: no usable Google credentials (${message}): run \`gcloud auth application-default login\` or set GOOGLE_APPLICATION_CREDENTIALS on the worker`, 'Google credentials');
  }
  if (isTransientGcpError(err)) {
    return new InfraError(`${what}: ${message}; GCP throttled the call or had a transient failure, the step will be retried`, err);
  }
  const status = httpStatusOf(err);
  const hint = status !== undefined ? USER[status] : undefined;
  // An expired or revoked token is the credentials' fault, whatever the call.
  if (status === 401) return new UserError(`${what}: ${message} (${hint})`, 'Google credentials', hint);
  if (hint) return new UserError(`${what}: ${message} (${hint})`, what, hint);
  return new InfraError(`${what}: ${message}`, err);
}

/** Attempts of one call before its InfraError goes to the activity's retry policy. */
export const CALL_ATTEMPTS = 3;

/**
 * Runs one Google call, retrying 429/5xx a few times (after Retry-After when the server gave
 * one, else a short backoff), and classifies what still fails.
 */
export async function gcp<T>(what: string, call: () => Promise<T>, opts: { attempts?: number; baseDelayMs?: number } = {}): Promise<T> {
  const attempts = opts.attempts ?? CALL_ATTEMPTS;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (attempt >= attempts || !isTransientGcpError(err)) throw classifyGcpError(err, what);
      const after = retryAfterSeconds(err);
      const delay = after !== undefined ? Math.min(after, 30) * 1000 : (opts.baseDelayMs ?? 250) * 2 ** (attempt - 1);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

/** Like `gcp`, but a 404 (the thing does not exist) gives undefined instead of an error. */
export async function gcpIfExists<T>(what: string, call: () => Promise<T>): Promise<T | undefined> {
  let missing = false;
  const result = await gcp(what, async () => {
    try {
      return await call();
    } catch (err) {
      if (httpStatusOf(err) !== 404) throw err;
      missing = true;
      return undefined;
    }
  });
  return missing ? undefined : result;
}
