// The oci cloud's own pieces against bad input and the OCI API stand-in (an HTTP stand-in of
// the SDK models' shapes, not OCI): the API key checks, the registry's ETag preconditions under
// a concurrent write, pagination, signature checks and the error families.
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ociClients, type OciClients } from '../../activities/providers/oci/clients';
import { keyFingerprint, readProfile, resolveOciCredentials } from '../../activities/providers/oci/credentials';
import { classifyOciError } from '../../activities/providers/oci/errors';
import { listImages, requireImage } from '../../activities/providers/oci/images';
import { ociManifestRules } from '../../activities/providers/oci/manifest-rules';
import { objectRegistry } from '../../activities/providers/oci/object-registry';
import { PreconditionFailed, getText, listObjects, putText, type Bucket } from '../../activities/providers/oci/objects';
import { okeToken } from '../../activities/providers/oci/oke-token';
import { classifyOciPacker } from '../../activities/providers/oci/packer-vars';
import { isInfraError, isUserError } from '../../src/domain/errors';
import type { Manifest } from '../../src/domain/manifest/types';
import { startOciRehearsal, type OciRehearsal } from './rehearsal';

let dir: string;
let r: OciRehearsal;
let c: OciClients;
let bucket: Bucket;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rcdebug-oci-units-'));
  r = await startOciRehearsal();
  c = ociClients({ endpoint: r.api.endpoint });
  bucket = { client: c.objectStorage, namespace: r.api.namespace, bucket: 'rcdebug-units' };
});
afterAll(async () => {
  c?.close();
  await r?.close();
  rmSync(dir, { recursive: true, force: true });
});

function key() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const file = join(dir, `k-${Math.random().toString(36).slice(2)}.pem`);
  writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  return { file, fingerprint: keyFingerprint(privateKey) };
}

function envWith(patch: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const k = key();
  const env: NodeJS.ProcessEnv = {
    OCI_CLI_TENANCY: 'ocid1.tenancy.oc1..aaaaunits', OCI_CLI_USER: 'ocid1.user.oc1..aaaaunits', OCI_CLI_FINGERPRINT: k.fingerprint,
    OCI_CLI_KEY_FILE: k.file, OCI_CLI_REGION: 'eu-frankfurt-1', OCI_CLI_CONFIG_FILE: join(dir, 'no-such-config'), ...patch,
  };
  for (const [name, v] of Object.entries(env)) if (v === undefined) delete env[name];
  return env;
}

function refusal(env: NodeJS.ProcessEnv): { field?: string; message: string } {
  try {
    resolveOciCredentials(env);
  } catch (err) {
    expect(isUserError(err), String(err)).toBe(true);
    return err as { field?: string; message: string };
  }
  throw new Error('the credentials were accepted');
}

describe('the worker\'s OCI API key', () => {
  it('is accepted when every field is right', () => {
    expect(resolveOciCredentials(envWith({})).region).toBe('eu-frankfurt-1');
  });

  it.each([
    ['no tenancy', { OCI_CLI_TENANCY: undefined }, 'OCI_CLI_TENANCY', /no OCI tenancy/],
    ['no user', { OCI_CLI_USER: undefined }, 'OCI_CLI_USER', /no OCI user/],
    ['no fingerprint', { OCI_CLI_FINGERPRINT: undefined }, 'OCI_CLI_FINGERPRINT', /no OCI fingerprint/],
    ['no key file', { OCI_CLI_KEY_FILE: undefined }, 'OCI_CLI_KEY_FILE', /no OCI key file/],
    ['a key file that is not there', { OCI_CLI_KEY_FILE: '/nonexistent/key.pem' }, 'OCI_CLI_KEY_FILE', /cannot be read: ENOENT/],
    ['a tenancy that is not a tenancy OCID', { OCI_CLI_TENANCY: 'ocid1.user.oc1..aaaa' }, 'OCI_CLI_TENANCY', /not a tenancy OCID/],
    ['a malformed fingerprint', { OCI_CLI_FINGERPRINT: 'aa:bb' }, 'OCI_CLI_FINGERPRINT', /not an API key fingerprint/],
    ['a region that is not one', { OCI_CLI_REGION: 'frankfurt' }, 'OCI_CLI_REGION', /not an OCI region identifier/],
  ])('refuses %s, naming the field', (_what, patch, field, message) => {
    const e = refusal(envWith(patch));
    expect(e.field).toBe(field);
    expect(e.message).toMatch(message);
  });

  it('refuses a key file that is not a PEM private key (the public half, say)', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const file = join(dir, 'public.pem');
    writeFileSync(file, publicKey.export({ type: 'spki', format: 'pem' }));
    const e = refusal(envWith({ OCI_CLI_KEY_FILE: file }));
    expect(e.field).toBe('OCI_CLI_KEY_FILE');
    expect(e.message).toContain('is not a PEM private key');
  });

  it('refuses a fingerprint of another key', () => {
    const e = refusal(envWith({ OCI_CLI_FINGERPRINT: key().fingerprint }));
    expect(e.field).toBe('OCI_CLI_FINGERPRINT');
    expect(e.message).toContain('has fingerprint');
  });

  it('reads a profile of the config file, DEFAULT values underneath', () => {
    const k = key();
    const file = join(dir, 'config');
    writeFileSync(file, `[DEFAULT]\nregion=eu-frankfurt-1\n\n[rc]\nuser=ocid1.user.oc1..aaaaprof\nfingerprint=${k.fingerprint}\nkey_file=${k.file}\ntenancy=ocid1.tenancy.oc1..aaaaprof\n`);
    expect(readProfile('[A]\nx=1\n', 'B')).toBeUndefined();
    const creds = resolveOciCredentials({ OCI_CLI_CONFIG_FILE: file, OCI_CLI_PROFILE: 'rc' });
    expect(creds).toMatchObject({ user: 'ocid1.user.oc1..aaaaprof', region: 'eu-frankfurt-1', keyFile: k.file });
    expect(refusal({ OCI_CLI_CONFIG_FILE: file, OCI_CLI_PROFILE: 'nope' }).field).toBe('OCI_CLI_PROFILE');
  });
});

describe('Object Storage through the stand-in', () => {
  it('writes with ETag preconditions: a second create and a stale update fail cleanly', async () => {
    const etag = await putText(bucket, 'units/a', 'one', null);
    await expect(putText(bucket, 'units/a', 'two', null)).rejects.toBeInstanceOf(PreconditionFailed);
    const next = await putText(bucket, 'units/a', 'two', etag);
    await expect(putText(bucket, 'units/a', 'three', etag)).rejects.toBeInstanceOf(PreconditionFailed);
    expect(await getText(bucket, 'units/a')).toEqual({ text: 'two', etag: next });
  });

  it('a registry write racing another is an InfraError (retried), and the retry sees the winner', async () => {
    const registry = objectRegistry(bucket);
    const rec = { cloud: 'oci' as const, flavor: 'kasan' as const, kernelRelease: '5.15.0-rcdebug-kasan', inputDigest: 'f'.repeat(40), imageId: 'ocid1.image.oc1..race', configDigest: 'sha256:c', createdAt: '2026-01-01T00:00:00Z', rc: 'v1' };
    await registry.publish(rec);
    // Another writer moves latest between our read and our write: the stand-in refuses the if-match.
    r.api.inject({ status: 412, times: 1, method: 'PUT', path: 'latest$', body: { code: 'IfMatchFailed', message: 'the ETag changed' } });
    const err = await registry.publish({ ...rec, inputDigest: 'e'.repeat(40), rc: 'v2', createdAt: '2026-01-02T00:00:00Z' }).catch((e: unknown) => e);
    expect(isInfraError(err), String(err)).toBe(true);
    expect((err as Error).message).toContain('written by someone else');
    await registry.publish({ ...rec, inputDigest: 'e'.repeat(40), rc: 'v2', createdAt: '2026-01-02T00:00:00Z' });
    expect((await registry.latest('oci', 'kasan'))?.inputDigest).toBe('e'.repeat(40));
    expect((await registry.history('oci', 'kasan')).map((x) => x.rc)).toEqual(['v1', 'v2']);
  });

  it('lists every object page by page (the stand-in serves two a page)', async () => {
    for (let i = 0; i < 5; i++) await putText(bucket, `units/list/${i}`, String(i));
    expect((await listObjects(bucket, 'units/list/')).map((o) => o.name)).toEqual([0, 1, 2, 3, 4].map((i) => `units/list/${i}`));
    expect(r.api.state.requests.filter((q: { method: string; path: string }) => q.method === 'GET' && q.path.endsWith('/o')).length).toBeGreaterThanOrEqual(3);
  });
});

describe('Compute through the stand-in', () => {
  it('follows opc-next-page through every image', async () => {
    for (let i = 0; i < 3; i++) await fetch(`${r.api.endpoint}/_standin/images`, { method: 'POST', body: JSON.stringify({ compartmentId: 'ocid1.compartment.oc1..paging', displayName: `p${i}` }) });
    expect((await listImages(c, 'ocid1.compartment.oc1..paging')).map((i) => i.displayName)).toEqual(['p0', 'p1', 'p2']);
  });

  it('an image OCID that does not exist is a UserError naming the field', async () => {
    const err = await requireImage(c, 'ocid1.image.oc1..missing', 'RCDEBUG_OCI_SOURCE_IMAGE').catch((e: unknown) => e);
    expect(isUserError(err)).toBe(true);
    expect((err as { field: string }).field).toBe('RCDEBUG_OCI_SOURCE_IMAGE');
  });

  it('5xx on every attempt is an InfraError; an unsigned or wrongly signed request is refused', async () => {
    r.api.inject({ status: 503, times: 3, method: 'GET', path: '/images$' });
    const err = await listImages(c, 'ocid1.compartment.oc1..x').catch((e: unknown) => e);
    expect(isInfraError(err), String(err)).toBe(true);
    expect((await fetch(`${r.api.endpoint}/20160918/images?compartmentId=x`)).status).toBe(401);
    const other = ociClients({ endpoint: r.api.endpoint, credentials: { ...c.credentials, privateKeyPem: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string } });
    const refused = await listImages(other, 'ocid1.compartment.oc1..x').catch((e: unknown) => e);
    other.close();
    expect(isUserError(refused), String(refused)).toBe(true);
    expect((refused as Error).message).toContain('NotAuthenticated');
  });

  it('classifies 429 as infrastructure and a 400 as the user\'s', () => {
    expect(isInfraError(classifyOciError({ statusCode: 429, serviceCode: 'TooManyRequests', message: 'slow down' }, 'x'))).toBe(true);
    expect(isUserError(classifyOciError({ statusCode: 400, serviceCode: 'InvalidParameter', message: 'bad shape' }, 'x', 'RCDEBUG_OCI_SHAPE'))).toBe(true);
  });
});

describe('packer failures', () => {
  it('an availability domain without the shape and an unknown subnet are the user\'s; capacity is not', () => {
    const shape = classifyOciPacker({ tail: ["Error launching instance: 400-InvalidParameter, Shape VM.Standard.E5.Flex is not available in Uocm:EU-FRANKFURT-1-AD-3"] });
    expect(shape && isUserError(shape) && (shape as unknown as { field: string }).field).toBe('RCDEBUG_OCI_SHAPE');
    const subnet = classifyOciPacker({ tail: ['Error: 404-NotAuthorizedOrNotFound, Authorization failed or requested resource not found for subnet ocid1.subnet.oc1..x'] });
    expect((subnet as unknown as { field: string }).field).toBe('RCDEBUG_OCI_BUILD_SUBNET');
    expect(classifyOciPacker({ tail: ['500-InternalError, Out of host capacity.'] })).toBeUndefined();
  });
});

describe('OKE token and manifest rules', () => {
  it('the token is the signed cluster_request URL, base64url', () => {
    const token = okeToken(c.credentials, 'ocid1.cluster.oc1..abc', new Date('2026-01-01T00:00:00Z'));
    const url = new URL(Buffer.from(token, 'base64url').toString('utf8'));
    expect(url.host).toBe('containerengine.eu-frankfurt-1.oraclecloud.com');
    expect(url.pathname).toBe('/cluster_request/ocid1.cluster.oc1..abc');
    expect(url.searchParams.get('date')).toBe('Thu, 01 Jan 2026 00:00:00 GMT');
    expect(url.searchParams.get('authorization')).toMatch(/^Signature version="1",headers="date \(request-target\) host",keyId="ocid1\.tenancy[^"]+",algorithm="rsa-sha256",signature="[A-Za-z0-9+/=]+"$/);
    expect(createPrivateKey(c.credentials.privateKeyPem).asymmetricKeyType).toBe('rsa');
  });

  it.each([
    ['riptides_debug', 'workloadCluster.clusterName'],
    ['a'.repeat(41), 'workloadCluster.clusterName'],
  ])('refuses the cluster name %s', (name, field) => {
    const out = { errors: [] as Array<{ field: string; message: string }>, warnings: [] };
    const m = { workloadCluster: { clusterName: name, clusterRegion: 'eu-frankfurt-1', deployments: {} } } as unknown as Manifest;
    for (const rule of ociManifestRules) rule.check(m, {} as never, out as never);
    expect(out.errors.map((e) => e.field)).toEqual([field]);
  });
});
