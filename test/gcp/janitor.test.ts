// The gcp janitor against the API stand-in (NOT Google) and fake-gcs-server: labelled
// resources of closed or expired cycles are removed through their long-running operations,
// those of open cycles stay, images beyond retention go with their registry records.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GcpClients } from '../../activities/providers/gcp/config';
import { gcsRegistry } from '../../activities/providers/gcp/gcs-registry';
import { dropRecordsOf, gcpSweep } from '../../activities/providers/gcp/janitor';
import { startGcpRehearsal, type GcpRehearsal } from './rehearsal';

let r: GcpRehearsal;
let c: GcpClients;
const ZONE = 'europe-west1-b';
const post = (hook: string, body: unknown) => fetch(`${r.api.endpoint}/_standin/${hook}`, { method: 'POST', body: JSON.stringify(body) });

beforeAll(async () => {
  r = await startGcpRehearsal();
  c = await r.clients();
  const labels = (cycle: string) => ({ 'managed-by': 'rcdebug', 'rcdebug-cycle': cycle });
  await post('group', { name: 'rcdebug-wl-closed', zone: ZONE, project: r.project, instances: ['wl-closed-1', 'wl-closed-2'], labels: labels('rc-old_gcp-kasan') });
  await post('group', { name: 'rcdebug-wl-open', zone: ZONE, project: r.project, instances: ['wl-open-1'], labels: labels('rc-new_gcp-kasan') });
  // A packer builder VM left behind (no group).
  r.api.state.instances.set(`${ZONE}/builder-closed`, { name: 'builder-closed', zone: ZONE, status: 'RUNNING', labels: labels('rc-old_gcp-kasan') });
  await post('cluster', { name: 'cp-closed', location: 'europe-west1', endpoint: r.api.endpoint, labels: labels('rc-old_gcp-kasan') });
  await post('cluster', { name: 'cp-open', location: 'europe-west1', endpoint: r.api.endpoint, labels: labels('rc-new_gcp-kasan') });
  for (const [i, day] of ['01', '02', '03'].entries()) {
    r.api.state.images.set(`rcdebug-kasan-${i}`, { name: `rcdebug-kasan-${i}`, project: r.project, family: 'rcdebug-kasan', status: 'READY', creationTimestamp: `2026-11-${day}T00:00:00Z`, labels: labels('rc-new_gcp-kasan'), selfLink: `${r.api.endpoint}/compute/v1/projects/${r.project}/global/images/rcdebug-kasan-${i}` });
  }
  await gcsRegistry(c.storage.bucket(r.bucket)).publish({ cloud: 'gcp', flavor: 'kasan', kernelRelease: '6.8.0-rcdebug-kasan', inputDigest: 'f'.repeat(40), imageId: `projects/${r.project}/global/images/rcdebug-kasan-0`, configDigest: 'c', createdAt: '2026-11-01T00:00:00Z', rc: 'v1' });
}, 60_000);
afterAll(async () => {
  await c?.close();
  await r?.close();
});

const isClosed = async (label: string) => label === 'rc-old_gcp-kasan';

describe('gcp janitor', () => {
  it('a dry run lists what it would remove and removes nothing', async () => {
    const rows = await gcpSweep(c, { zone: ZONE, ttlMs: 365 * 86_400_000, retention: 2, dryRun: true, isClosed, now: Date.parse('2026-11-30T00:00:00Z'), pollMs: 10 });
    expect(rows.map((x) => `${x.kind}:${x.id}:${x.outcome}`).sort()).toEqual([
      'gke-cluster:cp-closed:would-remove', 'image:rcdebug-kasan-0:would-remove', 'instance-group:rcdebug-wl-closed:would-remove', 'instance:builder-closed:would-remove',
    ]);
    expect(r.api.state.instances.size).toBe(4);
  });

  it('removes closed cycles\' group (not its instances, which the group would recreate), builder and cluster and the image beyond retention with its registry record; keeps the open cycle', async () => {
    const rows = await gcpSweep(c, { zone: ZONE, ttlMs: 365 * 86_400_000, retention: 2, isClosed, now: Date.parse('2026-11-30T00:00:00Z'), pollMs: 10 });
    expect(rows.every((x) => x.outcome === 'removed'), JSON.stringify(rows)).toBe(true);
    expect([...r.api.state.instances.keys()]).toEqual([`${ZONE}/wl-open-1`]);
    expect([...r.api.state.groups.keys()]).toEqual([`${ZONE}/rcdebug-wl-open`]);
    expect(r.api.calls).toContain(`DELETE /compute/v1/projects/${r.project}/zones/${ZONE}/instanceGroupManagers/rcdebug-wl-closed`);
    expect(r.api.calls.filter((x: string) => x.includes('/instances/wl-closed')).length).toBe(0);
    expect([...r.api.state.clusters.keys()]).toEqual(['europe-west1/cp-open']);
    expect([...r.api.state.images.keys()].filter((k: string) => k.startsWith('rcdebug-')).sort()).toEqual(['rcdebug-kasan-1', 'rcdebug-kasan-2']);
    // Deletions went through operations that were polled until DONE.
    expect(r.api.calls.filter((x: string) => x.endsWith('/wait')).length).toBeGreaterThanOrEqual(6);
    const dropped = await dropRecordsOf(c, r.bucket, ['rcdebug-kasan-0']);
    expect(dropped.map((d) => d.id)).toContain(`rcdebug/gcp/kasan/6.8.0-rcdebug-kasan/${'f'.repeat(40)}/record.json`);
    expect(await gcsRegistry(c.storage.bucket(r.bucket)).latest('gcp', 'kasan')).toBeUndefined();
  });

  it('with nobody to say which cycles are closed, the TTL alone decides', async () => {
    const rows = await gcpSweep(c, { zone: ZONE, ttlMs: 86_400_000, retention: 5, dryRun: true, isClosed: async () => undefined, now: Date.parse('2026-11-30T00:00:00Z') });
    expect(rows).toEqual([]);
  });
});
