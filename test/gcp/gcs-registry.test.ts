// The gcp registry and artifact store against fake-gcs-server (the real Cloud Storage
// emulator, started on loopback): the naming scheme as objects, generation preconditions
// that make a concurrent write fail cleanly, and retries of 5xx through a fault proxy.
import { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConcurrentWriteError, readObject, writeObject } from '../../activities/providers/gcp/gcs-objects';
import { gcsRegistry } from '../../activities/providers/gcp/gcs-registry';
import { gcsArtifactStore } from '../../activities/providers/gcp/gcs-artifacts';
import { isInfraError } from '../../src/domain/errors';
import type { VersionRecord } from '../../src/domain/registry/scheme';
import { startFakeGcs, type FakeGcs } from '../support/fake-gcs';
import { startFaultProxy, type FaultProxy } from '../support/moto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let gcs: FakeGcs;
let proxy: FaultProxy;
const BUCKET = 'rcdebug-registry-test';
const storage = (endpoint: string) => new Storage({ projectId: 'rcdebug-test', apiEndpoint: endpoint, retryOptions: { autoRetry: true, maxRetries: 2, retryDelayMultiplier: 1.1, maxRetryDelay: 2, totalTimeout: 30 } });

function record(digest: string, patch: Partial<VersionRecord> = {}): VersionRecord {
  return { cloud: 'gcp', flavor: 'kasan', kernelRelease: '6.8.0-rcdebug-kasan', inputDigest: digest, imageId: `projects/p/global/images/rcdebug-kasan-${digest.slice(0, 8)}`, configDigest: 'sha256-c', createdAt: new Date().toISOString(), rc: 'v1.4.0-rc2', ...patch };
}

beforeAll(async () => {
  gcs = await startFakeGcs();
  await gcs.createBucket(BUCKET);
  proxy = await startFaultProxy(gcs.endpoint);
}, 60_000);
afterAll(async () => {
  await proxy?.stop();
  await gcs?.stop();
});

describe('gcs registry on fake-gcs-server', () => {
  it('keeps the scheme: latest and rc pointers as objects, records whole, history in order', async () => {
    const reg = gcsRegistry(storage(gcs.endpoint).bucket(BUCKET));
    const a = record('a'.repeat(40), { createdAt: '2026-01-01T00:00:00.000Z' });
    const b = record('b'.repeat(40), { createdAt: '2026-01-02T00:00:00.000Z', rc: 'v1.4.0-rc3' });
    const out = await reg.publish(a);
    expect(out.latest).toBe('/rcdebug/gcp/kasan/latest');
    expect(out.paths[0]).toBe(`/rcdebug/gcp/kasan/6.8.0-rcdebug-kasan/${a.inputDigest}/record.json`);
    await reg.publish(b);
    expect((await reg.latest('gcp', 'kasan'))?.inputDigest).toBe(b.inputDigest);
    expect((await reg.forRc('v1.4.0-rc2', 'gcp', 'kasan'))?.inputDigest).toBe(a.inputDigest);
    expect((await reg.history('gcp', 'kasan')).map((r) => r.inputDigest)).toEqual([a.inputDigest, b.inputDigest]);
    const latestObj = await readObject(storage(gcs.endpoint).bucket(BUCKET), 'rcdebug/gcp/kasan/latest');
    expect(latestObj?.text).toBe(`6.8.0-rcdebug-kasan/${b.inputDigest}`);
    await reg.rollback('gcp', 'kasan', a.inputDigest);
    expect((await reg.latest('gcp', 'kasan'))?.inputDigest).toBe(a.inputDigest);
    // Publishing the same record again writes nothing new: the generation stays.
    const before = await readObject(storage(gcs.endpoint).bucket(BUCKET), out.paths[0]!.slice(1));
    await reg.publish(a);
    expect((await readObject(storage(gcs.endpoint).bucket(BUCKET), out.paths[0]!.slice(1)))?.generation).toBe(before?.generation);
  });

  it('a concurrent write fails cleanly: the stale generation is refused and the winner stays whole', async () => {
    const bucket = storage(gcs.endpoint).bucket(BUCKET);
    await writeObject(bucket, 'race/pointer', 'first', 0);
    const read = await readObject(bucket, 'race/pointer');
    // Another publisher moves the pointer between our read and our write.
    await writeObject(bucket, 'race/pointer', 'winner', read!.generation);
    const lost = await writeObject(bucket, 'race/pointer', 'loser', read!.generation).catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(ConcurrentWriteError);
    expect(isInfraError(lost)).toBe(true);
    expect((lost as Error).message).toMatch(/changed by another writer/);
    expect((await readObject(bucket, 'race/pointer'))?.text).toBe('winner');
    // Creating what exists is refused the same way.
    await expect(writeObject(bucket, 'race/pointer', 'again', 0)).rejects.toBeInstanceOf(ConcurrentWriteError);
  });

  it('two publishers racing for latest: one wins, the other fails cleanly and succeeds on retry', async () => {
    const bucket = storage(gcs.endpoint).bucket(BUCKET);
    const r1 = gcsRegistry(bucket);
    const r2 = gcsRegistry(storage(gcs.endpoint).bucket(BUCKET));
    const x = record('c'.repeat(40), { flavor: 'kcsan', createdAt: '2026-02-01T00:00:00.000Z' });
    const y = record('d'.repeat(40), { flavor: 'kcsan', createdAt: '2026-02-02T00:00:00.000Z' });
    const results = await Promise.allSettled([r1.publish(x), r2.publish(y)]);
    const failed = results.filter((r) => r.status === 'rejected');
    for (const f of failed) expect((f as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrentWriteError);
    const latest = (await readObject(bucket, 'rcdebug/gcp/kcsan/latest'))!.text;
    expect([`6.8.0-rcdebug-kasan/${x.inputDigest}`, `6.8.0-rcdebug-kasan/${y.inputDigest}`]).toContain(latest);
    // The activity's retry re-reads and publishes.
    if (failed.length) await (results[0]!.status === 'rejected' ? r1.publish(x) : r2.publish(y));
    expect((await r1.history('gcp', 'kcsan')).length).toBe(2);
  });

  it('retries 503s from a fault proxy and then succeeds; a lasting 503 is an InfraError', async () => {
    const reg = gcsRegistry(storage(proxy.endpoint).bucket(BUCKET));
    const calls = proxy.calls.length;
    proxy.inject({ status: 503, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: { code: 503, message: 'backend unavailable' } }) }, 2);
    const r = record('e'.repeat(40), { rc: 'v1.4.0-rc9' });
    await reg.publish(r);
    expect(proxy.calls.length - calls).toBeGreaterThan(2);
    expect((await reg.forRc('v1.4.0-rc9', 'gcp', 'kasan'))?.inputDigest).toBe(r.inputDigest);
    proxy.inject({ status: 503, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: { code: 503, message: 'backend unavailable' } }) }, 50);
    const err = await reg.forRc('v1.4.0-rc9', 'gcp', 'kasan').catch((e: unknown) => e);
    expect(isInfraError(err)).toBe(true);
    proxy.inject({ status: 200, body: '' }, 0);
  }, 60_000);

  it('stores artifacts as gs:// objects with a local mirror', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rcdebug-gcs-art-'));
    try {
      const bucket = storage(gcs.endpoint).bucket(BUCKET);
      const store = gcsArtifactStore(bucket, dir);
      const ref = await store.putText('c1/log-harvest/console/n1.log', 'line 1\n');
      expect(ref).toBe(`gs://${BUCKET}/artifacts/c1/log-harvest/console/n1.log`);
      expect(await store.getText(ref)).toBe('line 1\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
