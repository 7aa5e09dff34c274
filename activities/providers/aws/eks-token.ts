/**
 * The bearer token EKS accepts: a presigned STS GetCallerIdentity URL carrying the cluster name
 * in the `x-k8s-aws-id` header, base64url-encoded behind `k8s-aws-v1.`. It lives 15 minutes at
 * most and is only ever handed to helm/kubectl through a 0600 temp file or a request header,
 * never stored in the repository or the workflow history.
 */
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, Checksum, SourceData } from '@smithy/types';

/** The token prefix the aws-iam-authenticator of EKS expects. */
export const EKS_TOKEN_PREFIX = 'k8s-aws-v1.';

/** Seconds the presigned URL is valid; EKS accepts tokens up to 15 minutes old. */
const PRESIGN_SECONDS = 60;

/** SHA-256 (or HMAC-SHA-256 with a secret) on node:crypto, in the shape the signer wants. */
class NodeSha256 implements Checksum {
  private hash: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;
  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }
  private fresh() {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(this.secret));
  }
  update(data: Uint8Array | string): void {
    this.hash.update(toBuffer(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

function toBuffer(data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** Where STS lives for a region, or the emulator's endpoint. */
function stsUrl(region: string, endpoint?: string): URL {
  return new URL(endpoint ?? `https://sts.${region}.amazonaws.com`);
}

/** The presigned GetCallerIdentity URL inside a token (for tests and debugging). */
export async function presignedCallerIdentityUrl(opts: {
  clusterName: string;
  region: string;
  credentials: AwsCredentialIdentity;
  endpoint?: string | undefined;
  now?: Date;
}): Promise<string> {
  const url = stsUrl(opts.region, opts.endpoint);
  const signer = new SignatureV4({ service: 'sts', region: opts.region, credentials: opts.credentials, sha256: NodeSha256, uriEscapePath: true });
  const signed = await signer.presign(
    {
      method: 'GET',
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      headers: { host: url.host, 'x-k8s-aws-id': opts.clusterName },
    },
    { expiresIn: PRESIGN_SECONDS, signingDate: opts.now ?? new Date() },
  );
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(signed.query ?? {})) {
    if (typeof v === 'string') query.append(k, v);
    else if (Array.isArray(v)) for (const item of v) query.append(k, item);
  }
  return `${url.protocol}//${url.host}/?${query.toString()}`;
}

/** An EKS bearer token for `clusterName`. */
export async function eksToken(opts: Parameters<typeof presignedCallerIdentityUrl>[0]): Promise<string> {
  const url = await presignedCallerIdentityUrl(opts);
  return EKS_TOKEN_PREFIX + Buffer.from(url, 'utf8').toString('base64url');
}

/** Decodes a token back to its presigned URL (tests, `rcdebug doctor`). */
export function decodeEksToken(token: string): URL {
  if (!token.startsWith(EKS_TOKEN_PREFIX)) throw new Error(`not an EKS token: it must start with ${EKS_TOKEN_PREFIX}`);
  return new URL(Buffer.from(token.slice(EKS_TOKEN_PREFIX.length), 'base64url').toString('utf8'));
}
