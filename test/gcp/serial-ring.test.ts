// The serial console of a gcp node keeps only its last 1 MB (the stand-in's ring, as Compute's):
// a soak longer than that loses no line, because every check reads from where the last one
// stopped and keeps what it read; a check that comes too late shows the gap instead of hiding it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectGcp, type GcpClients } from '../../activities/providers/gcp/config';
import { createGcpProvider } from '../../activities/providers/gcp/index';
import { joinChunks, readSerial } from '../../activities/providers/gcp/serial-console';
import type { ClusterProvisionOutput, ConsoleMark, StepContext } from '../../src/domain/contract';
import { SERIAL_RING_BYTES } from '../fixtures/gcp-standins/gcp-api-standin.mjs';
import { gcpContext, recordingIO, standinAuth, startGcpRehearsal, type GcpRehearsal } from './rehearsal';

let r: GcpRehearsal;
let clients: GcpClients;
const provider = () => createGcpProvider({
  connect: (o) => connectGcp({ project: o.project!, apiEndpoint: o.apiEndpoint, storageEndpoint: o.storageEndpoint, authClient: standinAuth() }),
  pollMs: 20,
  options: { stateDir: r.stateDir, kmemleakWaitSeconds: 1, clusterWaitSeconds: 30 },
});

beforeAll(async () => {
  r = await startGcpRehearsal();
  clients = await r.clients();
}, 60_000);
afterAll(async () => {
  await clients?.close();
  await r?.close();
});

async function provision(ctx: StepContext): Promise<ClusterProvisionOutput> {
  const kernel = { digest: 'd'.repeat(40), kernelRelease: '6.8.0-rcdebug-kasan', configDigest: 'sha256-c', cacheHit: false, artifacts: { kernel: '', log: '', reproducer: '', config: '' } };
  const name = `rcdebug-kasan-ring-${ctx.cycleId.slice(-4)}`;
  await fetch(`${r.api.endpoint}/_standin/image`, { method: 'POST', body: JSON.stringify({ name, project: r.project, family: 'rcdebug-kasan', description: `rcdebug debug image: kernel ${kernel.kernelRelease}`, labels: {} }) });
  return provider().clusterProvision({ ctx, kernel, image: { imageId: `projects/${r.project}/global/images/${name}`, digest: 'e'.repeat(40), cacheHit: false, artifacts: {} } }, recordingIO());
}

/** `count` numbered console lines of ~100 bytes from `first` on. */
function lines(first: number, count: number): string {
  let out = '';
  for (let i = first; i < first + count; i++) out += `[ ${String(i).padStart(7)}.000000] rcdebug-line ${String(i).padStart(8, '0')} ${'.'.repeat(60)}\n`;
  return out;
}

describe('gcp serial console past the 1 MB ring', () => {
  it('a soak writing 3.5 MB over its checks loses no console line; harvest rejoins them all', async () => {
    const ctx = gcpContext(r, 'ring-soak-0001');
    const cluster = await provision(ctx);
    const node = cluster.nodes[0]!;
    const perCheck = 7_000; // ~700 KB between two checks: less than the ring, five times more in all
    let consoles: Record<string, ConsoleMark> | undefined;
    for (let tick = 1; tick <= 5; tick++) {
      r.api.consoleOf(node.name).write(lines((tick - 1) * perCheck, perCheck));
      const out = await provider().soakCheck({ ctx, cluster, tick, scan: false, elapsedSeconds: tick * 60, consoles }, recordingIO());
      expect(out.panicked).toBe(false);
      consoles = out.consoles;
    }
    const total = r.api.consoleOf(node.name).total;
    expect(total).toBeGreaterThan(3 * SERIAL_RING_BYTES);
    // Compute itself no longer has the start: a read from 0 begins well past it.
    const late = await readSerial(clients, { project: r.project, zone: node.details!.zone!, instance: node.name }, 0);
    expect(late!.start).toBeGreaterThan(2 * SERIAL_RING_BYTES);
    // The pieces the checks kept hold every line, in order, with no gap.
    const joined = await joinChunks(clients.storage.bucket(r.bucket), ctx.cycleId, node.name);
    expect(joined.gaps).toBe(0);
    const text = joined.text.toString('utf8');
    const numbers = [...text.matchAll(/rcdebug-line (\d{8})/g)].map((m) => Number(m[1]));
    expect(numbers).toEqual(Array.from({ length: 5 * perCheck }, (_, i) => i));
    // log-harvest stores the whole console as the node's serial log.
    const harvest = await provider().logHarvest({ ctx, cluster }, recordingIO());
    expect(harvest.verdict).toBeDefined();
    expect(joined.end).toBe(total);
  }, 240_000);

  it('a check that comes after more than 1 MB shows the lost bytes instead of hiding them', async () => {
    const ctx = gcpContext(r, 'ring-late-0002');
    const cluster = await provision(ctx);
    const node = cluster.nodes[0]!;
    const first = await provider().soakCheck({ ctx, cluster, tick: 1, scan: false, elapsedSeconds: 60 }, recordingIO());
    r.api.consoleOf(node.name).write(lines(0, 15_000)); // ~1.5 MB before the next check
    await provider().soakCheck({ ctx, cluster, tick: 2, scan: false, elapsedSeconds: 120, consoles: first.consoles }, recordingIO());
    const joined = await joinChunks(clients.storage.bucket(r.bucket), ctx.cycleId, node.name);
    expect(joined.gaps).toBeGreaterThan(0);
    expect(joined.text.toString('utf8')).toMatch(/console bytes were lost to the 1 MB serial ring/);
  }, 240_000);
});
