import { join } from 'node:path';
import { RestError } from '@azure/core-rest-pipeline';
import { describe, expect, it } from 'vitest';
import { connectAzure } from '../../activities/providers/azure/config';
import { classifyAzureError } from '../../activities/providers/azure/errors';
import { galleryVersion, parseGalleryVersion } from '../../activities/providers/azure/gallery-version';
import { azureManifestRules } from '../../activities/providers/azure/manifest-rules';
import { azureProviderOptions, requireSubscription } from '../../activities/providers/azure/options';
import { InfraError, UserError } from '../../src/domain/errors';
import { loadManifestOrThrow } from '../../src/domain/manifest/load';
import type { Manifest } from '../../src/domain/manifest/types';
import { repoRoot } from '../../src/domain/paths';

const restError = (status: number, code: string, headers: Record<string, string> = {}) =>
  new RestError(`${code} happened`, { statusCode: status, code, response: { status, headers: { get: (k: string) => headers[k], has: (k: string) => k in headers, toJSON: () => headers } as never, bodyAsText: JSON.stringify({ error: { code, message: `${code} happened` } }), request: {} as never } });

describe('gallery image version mapping', () => {
  it.each([
    { rc: 'v1.4.0-rc2', digest: 'abcdef0123456789', want: `10400.2.${0xabcdef0}` },
    { rc: '1.4.0', digest: '0000001fff', want: '10400.0.1' },
    { rc: 'v12.34.56-rc7', digest: 'fffffffabc', want: `123456.7.${0xfffffff}` },
  ])('$rc + $digest → $want', ({ rc, digest, want }) => {
    expect(galleryVersion(rc, digest)).toBe(want);
  });

  it('is deterministic, and another rc or digest gives another version', () => {
    const a = galleryVersion('v1.4.0-rc2', 'a'.repeat(40));
    expect(galleryVersion('v1.4.0-rc2', 'a'.repeat(40))).toBe(a);
    expect(galleryVersion('v1.4.0-rc3', 'a'.repeat(40))).not.toBe(a);
    expect(galleryVersion('v1.4.0-rc2', 'b'.repeat(40))).not.toBe(a);
  });

  it('maps an rc that is not vX.Y.Z[-rcN] through its hash, still three 32-bit integers', () => {
    for (const rc of ['nightly-2026-11-30', 'v1.4.0-beta1', 'v999999.0.0']) {
      const parts = parseGalleryVersion(galleryVersion(rc, 'c'.repeat(40)));
      expect(parts, rc).toBeDefined();
      for (const p of parts!) expect(p).toBeLessThanOrEqual(2 ** 31 - 1);
    }
  });

  it('refuses a digest that is not hex, naming it', () => {
    expect(() => galleryVersion('v1.0.0', 'not-hex!')).toThrow(UserError);
  });

  it('parses only Major.Minor.Patch of 32-bit integers', () => {
    expect(parseGalleryVersion('1.2.3')).toEqual([1, 2, 3]);
    expect(parseGalleryVersion('1.2')).toBeUndefined();
    expect(parseGalleryVersion('1.2.9999999999')).toBeUndefined();
  });
});

describe('azure error classification', () => {
  it.each([
    { status: 429, code: 'TooManyRequests', kind: InfraError },
    { status: 500, code: 'InternalServerError', kind: InfraError },
    { status: 503, code: 'ServiceUnavailable', kind: InfraError },
    { status: 401, code: 'ExpiredAuthenticationToken', kind: UserError },
    { status: 403, code: 'AuthorizationFailed', kind: UserError },
    { status: 404, code: 'GalleryImageNotFound', kind: UserError },
    { status: 409, code: 'SkuNotAvailable', kind: UserError },
    { status: 409, code: 'Conflict', kind: InfraError },
  ])('$status $code → $kind.name', ({ status, code, kind }) => {
    const err = classifyAzureError(restError(status, code), 'Compute op');
    expect(err).toBeInstanceOf(kind);
    expect(err.message).toContain(code);
  });

  it('a missing credential chain is a UserError saying how to sign in', () => {
    const e = Object.assign(new Error('DefaultAzureCredential failed'), { name: 'AggregateAuthenticationError' });
    const err = classifyAzureError(e, 'Azure sign-in');
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toMatch(/az login|AZURE_CLIENT_ID/);
  });
});

describe('azure options and credentials (before any call)', () => {
  it('no subscription is a UserError naming AZURE_SUBSCRIPTION_ID', () => {
    expect(() => requireSubscription(azureProviderOptions({ subscriptionId: undefined }))).toThrow(expect.objectContaining({ field: 'AZURE_SUBSCRIPTION_ID' }));
    expect(() => requireSubscription(azureProviderOptions({ subscriptionId: 'my-sub' }))).toThrow(/not a subscription id/);
  });

  it('a bad source image or Kubernetes version is refused naming the variable', () => {
    expect(() => azureProviderOptions({ sourceImage: 'ubuntu' })).toThrow(expect.objectContaining({ field: 'RCDEBUG_AZURE_SOURCE_IMAGE' }));
    expect(() => azureProviderOptions({ kubernetesVersion: 'latest' })).toThrow(expect.objectContaining({ field: 'RCDEBUG_AKS_VERSION' }));
  });

  it('an expired token is refused by the connect preflight', async () => {
    const opts = azureProviderOptions({ subscriptionId: '00000000-0000-4000-8000-000000000001' });
    const credential = { getToken: async () => ({ token: 't', expiresOnTimestamp: Date.now() - 1000 }) };
    await expect(connectAzure(opts, { credential })).rejects.toThrow(expect.objectContaining({ field: 'Azure credentials' }));
    const failing = { getToken: async () => Promise.reject(Object.assign(new Error('no az login'), { name: 'CredentialUnavailableError' })) };
    await expect(connectAzure(opts, { credential: failing })).rejects.toBeInstanceOf(UserError);
  });
});

describe('azure manifest rules', () => {
  const check = (m: Manifest) => {
    const out = { errors: [] as { field: string; message: string }[], warnings: [] };
    for (const rule of azureManifestRules) rule.check(m, { dir: repoRoot }, out);
    return out.errors;
  };

  it('the example manifest passes', async () => {
    expect(check(await loadManifestOrThrow(join(repoRoot, 'manifests', 'examples', 'azure.yaml')))).toEqual([]);
  });

  it.each([
    { name: 'riptides.debug', why: /letters, digits/ },
    { name: '-riptides', why: /starts and ends/ },
    { name: 'riptides_', why: /starts and ends/ },
    { name: 'r'.repeat(64), why: /at most 63/ },
  ])('refuses the AKS cluster name $name', async ({ name, why }) => {
    const m = await loadManifestOrThrow(join(repoRoot, 'manifests', 'examples', 'azure.yaml'));
    const errors = check({ ...m, cpCluster: { ...m.cpCluster!, clusterName: name } });
    expect(errors).toEqual([expect.objectContaining({ field: 'cpCluster.clusterName', message: expect.stringMatching(why) })]);
  });

  it('refuses a region that is not an Azure region name', async () => {
    const m = await loadManifestOrThrow(join(repoRoot, 'manifests', 'examples', 'azure.yaml'));
    expect(check({ ...m, workloadCluster: { ...m.workloadCluster!, clusterRegion: 'West Europe' } })).toEqual([expect.objectContaining({ field: 'workloadCluster.clusterRegion' })]);
  });
});
