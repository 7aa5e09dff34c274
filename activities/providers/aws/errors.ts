/**
 * Turns AWS SDK failures into the two error families: throttling, 5xx and network trouble are
 * the infrastructure's (InfraError, retried by the activity's policy); missing or expired
 * credentials, denied access and things that do not exist are the user's (UserError, with what
 * to fix). Neither is ever a kernel finding.
 */
import { InfraError, UserError, isInfraError, isUserError } from '../../../src/domain/errors';

/** Error names (the `name`/`Code` of an AWS error) that retrying may fix. */
const TRANSIENT = new Set([
  'ThrottlingException', 'Throttling', 'ThrottledException', 'TooManyRequestsException', 'RequestLimitExceeded',
  'RequestThrottled', 'RequestThrottledException', 'SlowDown', 'ProvisionedThroughputExceededException',
  'ServiceUnavailable', 'ServiceUnavailableException', 'InternalError', 'InternalFailure', 'InternalServerError',
  'InternalServerException', 'ServerException', 'RequestTimeout', 'RequestTimeoutException', 'TimeoutError',
  'IDPCommunicationError', 'EC2ThrottledException',
]);

/** Node network error codes: the endpoint did not answer. */
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET']);

/** The user's fault, and what to do about it. */
const USER: Record<string, string> = {
  AccessDenied: 'the AWS identity lacks a permission: grant it (see the action named above) or use another profile',
  AccessDeniedException: 'the AWS identity lacks a permission: grant it (see the action named above) or use another profile',
  UnauthorizedOperation: 'the AWS identity lacks a permission: grant it (see the action named above) or use another profile',
  ExpiredToken: 'the AWS session token expired: refresh the credentials (aws sso login, or new STS credentials) and retry the step',
  ExpiredTokenException: 'the AWS session token expired: refresh the credentials (aws sso login, or new STS credentials) and retry the step',
  RequestExpired: 'the request expired: check the worker clock and the credentials, then retry the step',
  InvalidClientTokenId: 'the AWS access key is not valid: check AWS_ACCESS_KEY_ID / the profile',
  UnrecognizedClientException: 'the AWS access key is not valid: check AWS_ACCESS_KEY_ID / the profile',
  SignatureDoesNotMatch: 'the AWS secret key does not match the access key: check AWS_SECRET_ACCESS_KEY / the profile',
  AuthFailure: 'AWS could not authenticate the request: check the credentials',
  ParameterNotFound: 'the SSM parameter does not exist: check the name, the region and that it was published',
  ParameterVersionNotFound: 'the SSM parameter version does not exist',
  'InvalidAMIID.NotFound': 'the AMI does not exist in this region (or is not shared with this account): check the id and the region',
  'InvalidAMIID.Malformed': 'that is not an AMI id (ami-...)',
  'InvalidAMIID.Unavailable': 'the AMI is not available: it may have been deregistered',
  'InvalidInstanceID.NotFound': 'the instance does not exist (any more) in this region',
  ValidationException: 'AWS refused the request as invalid: check the value named above',
  InvalidParameterValue: 'AWS refused a parameter value: check the value named above',
  InvalidParameterException: 'AWS refused a parameter value: check the value named above',
  ResourceNotFoundException: 'the resource does not exist in this region: check the name and the region',
  NoSuchBucket: 'the S3 bucket does not exist: create it or set the right bucket',
  InvalidKeyPair: 'the key pair does not exist in this region',
  NoSuchEntity: 'the IAM entity (an instance profile, a role) does not exist: check the name in the worker\'s settings',
  OptInRequired: 'the account is not subscribed to this service or region: opt in first',
};

/** The code of an SDK error: `name`, or `Code` from the body. */
export function awsErrorCode(err: unknown): string | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const e = err as { name?: string; Code?: string; code?: string };
  return e.Code ?? e.name ?? e.code;
}

function httpStatus(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

/** True for throttling, 5xx and network failures. */
export function isTransientAwsError(err: unknown): boolean {
  const code = awsErrorCode(err);
  if (code && TRANSIENT.has(code)) return true;
  const status = httpStatus(err);
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  const sysCode = (err as { code?: string; cause?: { code?: string } } | undefined)?.code
    ?? (err as { cause?: { code?: string } } | undefined)?.cause?.code;
  if (sysCode && NETWORK.has(sysCode)) return true;
  return (err as { $retryable?: unknown } | undefined)?.$retryable !== undefined;
}

/**
 * Classifies an SDK failure of `what` (e.g. `SSM GetParameter /rcdebug/...`). Errors already
 * classified pass through. Unknown client errors become InfraErrors so a step is retried and
 * then parked for the operator rather than failing on a code we have not seen.
 */
export function classifyAwsError(err: unknown, what: string): UserError | InfraError {
  if (isUserError(err) || isInfraError(err)) return err;
  const code = awsErrorCode(err) ?? 'Error';
  const message = (err as Error | undefined)?.message ?? String(err);
  if (code === 'CredentialsProviderError') {
    return new UserError(`${what}: no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE`, 'AWS credentials');
  }
  if (isTransientAwsError(err)) {
    return new InfraError(`${what}: ${code} (${message}); AWS throttled the call or had a transient failure, the step will be retried`, err);
  }
  const hint = USER[code];
  if (hint) return new UserError(`${what}: ${code}: ${message} (${hint})`, what, hint);
  return new InfraError(`${what}: ${code}: ${message}`, err);
}

/** Runs one AWS call and classifies its failure. */
export async function aws<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw classifyAwsError(err, what);
  }
}
