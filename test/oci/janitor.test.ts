// The oci janitor against the OCI API stand-in (a stand-in, not OCI): tagged clusters of
// expired cycles deleted through work requests, images beyond retention with their registry
// records, a dry run that removes nothing, untagged things left alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ociClients, type OciClients } from '../../activities/providers/oci/clients';
import { runOciSweep } from '../../activities/providers/oci/janitor';
import { objectRegistry } from '../../activities/providers/oci/object-registry';
import { startOciRehearsal, type OciRehearsal } from './rehearsal';

let r: OciRehearsal;
let c: OciClients;
beforeAll(async () => {
  r = await startOciRehearsal();
  c = ociClients({ endpoint: r.api.endpoint });
});
afterAll(async () => {
  c?.close();
  await r?.close();
});

interface Made { id: string; cluster: { id: string } }
const admin = async (route: string, body: unknown): Promise<Made> => (await fetch(`${r.api.endpoint}/_standin/${route}`, { method: 'POST', body: JSON.stringify(body) })).json() as Promise<Made>;

describe('oci janitor', () => {
  it('removes expired tagged clusters and images beyond retention, keeps the rest; a dry run removes nothing', async () => {
    const compartmentId = r.env.RCDEBUG_OCI_COMPARTMENT!;
    const tags = (cycle: string) => ({ 'rcdebug-managed': 'true', 'rcdebug-cycle': cycle, 'rcdebug-flavor': 'kasan' });
    const old = await admin('clusters', { name: 'old', compartmentId, imageId: 'ocid1.image.oc1..x', size: 1, freeformTags: tags('old-cycle') });
    const foreign = await admin('clusters', { name: 'foreign', compartmentId, imageId: 'ocid1.image.oc1..x', size: 1, freeformTags: {} });
    const images: Made[] = [];
    for (let i = 0; i < 3; i++) {
      images.push(await admin('images', { compartmentId, displayName: `img${i}`, freeformTags: tags(`c${i}`) }));
      await new Promise((res) => setTimeout(res, 5));
    }
    const registry = objectRegistry({ client: c.objectStorage, namespace: r.api.namespace, bucket: r.env.RCDEBUG_OCI_BUCKET! });
    const rec = (i: number) => ({ cloud: 'oci' as const, flavor: 'kasan' as const, kernelRelease: '5.15.0-rcdebug-kasan', inputDigest: String(i).repeat(40), imageId: images[i]!.id, configDigest: 'sha256:c', createdAt: `2026-01-0${i + 1}T00:00:00Z`, rc: `v${i}` });
    for (const i of [0, 1, 2]) await registry.publish(rec(i));
    await new Promise((res) => setTimeout(res, 1100));
    const opts = { options: { imageRetention: 1 }, pollMs: 10 };

    const dry = await runOciSweep({ ttlSeconds: 1, dryRun: true, temporal: false, terraform: false }, opts);
    expect(dry.every((a) => a.outcome === 'would-remove')).toBe(true);
    expect(r.api.state.clusters.has(old.cluster.id)).toBe(true);

    const done = await runOciSweep({ ttlSeconds: 1, temporal: false, terraform: false }, opts);
    expect(done.filter((a) => a.kind === 'OKE cluster').map((a) => [a.id, a.outcome])).toEqual([[old.cluster.id, 'removed']]);
    expect(r.api.state.clusters.has(old.cluster.id)).toBe(false);
    expect(r.api.state.clusters.has(foreign.cluster.id)).toBe(true);
    // The newest image (also latest) stays; the two older go, with their records.
    expect(done.filter((a) => a.kind === 'custom image').map((a) => a.id).sort()).toEqual([images[0]!.id, images[1]!.id].sort());
    expect(r.api.state.images.has(images[2]!.id)).toBe(true);
    expect((await registry.history('oci', 'kasan')).map((x) => x.rc)).toEqual(['v2']);
    expect(done.filter((a) => a.kind === 'registry record')).toHaveLength(2);
  });

  it('refuses a TTL that is not positive', async () => {
    await expect(runOciSweep({ ttlSeconds: 0, temporal: false })).rejects.toMatchObject({ field: 'ttlSeconds' });
  });
});
