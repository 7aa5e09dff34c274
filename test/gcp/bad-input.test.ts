// Bad input on the gcp cloud is a UserError naming what to fix, before anything is created;
// 429 and 5xx from the API stand-in are retried, never findings or user errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectGcp } from '../../activities/providers/gcp/config';
import { createGcpProvider } from '../../activities/providers/gcp/index';
import { gcpManifestRules } from '../../activities/providers/gcp/manifest-rules';
import { imageFamily, labelValue, rcdebugLabels } from '../../activities/providers/gcp/names';
import { isUserError } from '../../src/domain/errors';
import type { Manifest } from '../../src/domain/manifest/types';
import { gcpContext, recordingIO, standinAuth, startGcpRehearsal, type GcpRehearsal } from './rehearsal';

let r: GcpRehearsal;
beforeAll(async () => {
  r = await startGcpRehearsal();
}, 60_000);
afterAll(async () => {
  await r?.close();
});

const provider = (options: Record<string, unknown> = {}) => createGcpProvider({
  connect: (o) => connectGcp({ project: o.project!, apiEndpoint: o.apiEndpoint, storageEndpoint: o.storageEndpoint, authClient: standinAuth() }),
  pollMs: 20,
  options: { stateDir: r.stateDir, ...options },
});

async function userError(p: Promise<unknown>): Promise<{ field?: string; message: string }> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(isUserError(err), String(err)).toBe(true);
  return err as { field?: string; message: string };
}

describe('gcp label values', () => {
  it('maps rc strings, cycle ids and digests onto the label charset, long ones kept apart by a hash', () => {
    expect(labelValue('v1.4.0-RC2')).toBe('v1_4_0-rc2');
    expect(labelValue('rc-v1.4.0-rc2-20261130-053149-e307.gcp-kasan')).toBe('rc-v1_4_0-rc2-20261130-053149-e307_gcp-kasan');
    const a = labelValue(`${'x'.repeat(70)}-a`);
    const b = labelValue(`${'x'.repeat(70)}-b`);
    expect(a).toMatch(/^[a-z0-9_-]{63}$/);
    expect(a).not.toBe(b);
    for (const v of Object.values(rcdebugLabels({ cycleId: 'Cycle/ONE', rc: 'v2.0.0+build.1', flavor: 'kasan', digest: 'ABCDEF0123' }))) expect(v).toMatch(/^[a-z0-9_-]{0,63}$/);
    expect(imageFamily('kasan')).toBe('rcdebug-kasan');
  });
});

describe('gcp manifest rules', () => {
  const check = (m: Partial<Manifest>) => {
    const out = { errors: [] as { field: string; message: string }[], warnings: [] as unknown[] };
    for (const rule of gcpManifestRules) rule.check(m as Manifest, {} as never, out as never);
    return out.errors;
  };
  it('refuses a cluster name GCP would refuse and a region that is not one', () => {
    const errors = check({ workloadCluster: { clusterName: 'Riptides_Debug', clusterRegion: 'eu-west-1', deployments: {} } as never });
    expect(errors.map((e) => e.field)).toEqual(['workloadCluster.clusterName', 'workloadCluster.clusterRegion']);
    expect(check({ cpCluster: { clusterName: 'a'.repeat(41), clusterRegion: 'europe-west1', deployments: {} } as never })[0]?.message).toMatch(/at most 40/);
    expect(check({ cpCluster: { clusterName: 'riptides-cp', clusterRegion: 'europe-west1', deployments: {} } as never })).toEqual([]);
  });
});

describe('gcp bad input before any side effect', () => {
  it('no project: names GOOGLE_CLOUD_PROJECT', async () => {
    const p = createGcpProvider({ options: { stateDir: r.stateDir, project: undefined } });
    const err = await userError(p.kernelBuild({ ctx: gcpContext(r, 'bad-project') }, recordingIO()));
    expect(err.field).toBe('GOOGLE_CLOUD_PROJECT');
  });

  it('an image family that does not exist: names RCDEBUG_GCP_SOURCE_IMAGE_FAMILY', async () => {
    const err = await userError(provider({ sourceImageFamily: 'ubuntu-9999-lts-amd64' }).kernelBuild({ ctx: gcpContext(r, 'bad-family') }, recordingIO()));
    expect(err.field).toBe('RCDEBUG_GCP_SOURCE_IMAGE_FAMILY');
    expect(err.message).toMatch(/ubuntu-9999-lts-amd64 does not exist/);
  });

  it('a zone without the machine type: names RCDEBUG_GCP_MACHINE_TYPE, and no packer ran', async () => {
    const before = r.calls().length;
    const err = await userError(provider({ machineType: 'n9-imaginary-4' }).kernelBuild({ ctx: gcpContext(r, 'bad-mt') }, recordingIO()));
    expect(err.field).toBe('RCDEBUG_GCP_MACHINE_TYPE');
    expect(err.message).toMatch(/europe-west1-b has no machine type n9-imaginary-4/);
    expect(r.calls().length).toBe(before);
  });

  it('an expired token (401): names the Google credentials', async () => {
    r.api.inject({ status: 401, message: 'Request had invalid authentication credentials. Expected OAuth 2 access token.' }, 1, (op: string) => op.includes('/images/family/'));
    const err = await userError(provider().kernelBuild({ ctx: gcpContext(r, 'bad-token') }, recordingIO()));
    expect(err.field).toBe('Google credentials');
    expect(err.message).toMatch(/gcloud auth application-default login/);
  });

  it('a bad zone setting: names RCDEBUG_GCP_ZONE', async () => {
    expect(() => provider({ zone: 'europe-west1' })).toThrow(/RCDEBUG_GCP_ZONE/);
  });

  it('429 and 503 from Compute are retried and the step goes on', async () => {
    r.api.inject({ status: 503, message: 'backend error' }, 1, (op: string) => op.includes('/machineTypes/'));
    r.api.inject({ status: 429, headers: { 'retry-after': '1' }, message: 'Rate Limit Exceeded' }, 1, (op: string) => op.includes('/machineTypes/'));
    const calls = r.api.calls.length;
    const out = await provider().kernelBuild({ ctx: gcpContext(r, 'retried') }, recordingIO());
    expect(out.kernelRelease).toBe('6.8.0-rcdebug-kasan');
    expect(r.api.calls.slice(calls).filter((c: string) => c.includes('/machineTypes/')).length).toBe(3);
  });
});
