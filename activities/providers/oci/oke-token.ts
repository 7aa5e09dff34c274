/**
 * The token OKE accepts as a bearer token, made the way `oci ce cluster generate-token` makes
 * it: a GET of `https://containerengine.<region>.oraclecloud.com/cluster_request/<cluster-id>`
 * signed with the worker's API key (headers `date (request-target) host`), whose URL with the
 * `authorization` and `date` headers as query parameters is base64url encoded. It is valid for
 * a few minutes; it is made per helm run and never leaves the worker.
 */
import { createPrivateKey, createSign } from 'node:crypto';
import type { OciCredentials } from './credentials';

export function okeToken(creds: OciCredentials, clusterId: string, now = new Date()): string {
  const host = `containerengine.${creds.region}.oraclecloud.com`;
  const path = `/cluster_request/${clusterId}`;
  const date = now.toUTCString();
  const signing = [`date: ${date}`, `(request-target): get ${path}`, `host: ${host}`].join('\n');
  const key = createPrivateKey({ key: creds.privateKeyPem, format: 'pem', ...(creds.passphrase ? { passphrase: creds.passphrase } : {}) });
  const signature = createSign('RSA-SHA256').update(signing).sign(key, 'base64');
  const authorization = `Signature version="1",headers="date (request-target) host",keyId="${creds.tenancy}/${creds.user}/${creds.fingerprint}",algorithm="rsa-sha256",signature="${signature}"`;
  const url = `https://${host}${path}?${new URLSearchParams({ authorization, date }).toString()}`;
  const b64 = Buffer.from(url).toString('base64url');
  return b64 + '='.repeat((4 - (b64.length % 4)) % 4);
}
