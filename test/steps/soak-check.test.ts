import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkSoak, type NodeState, type SoakNodes } from '../../activities/steps/soak-check';
import type { ClusterProvisionOutput, SoakCheckInput, StepIO } from '../../src/domain/contract';
import { isInfraError } from '../../src/domain/errors';

// The common part of every cloud's soak check, over a cloud whose nodes are plain records:
// what each cloud's own soak check adds is only how it fills them.

const io: StepIO = { progress() {}, signal: new AbortController().signal, attempt: 1 };
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rcdebug-soak-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface FakeNode { console: string; state: NodeState; afterScan?: string }

function fakeCloud(nodes: Record<string, FakeNode>, lostNode: SoakNodes['lostNode'] = 'infra-error'): SoakNodes & { scanned: string[][] } {
  const scanned: string[][] = [];
  return {
    scanned,
    console: async (n) => nodes[n.name]!.console,
    states: async (list) => new Map(list.map((n) => [n.name, nodes[n.name]!.state])),
    async scan(list) {
      scanned.push(list.map((n) => n.name));
      for (const n of list) if (nodes[n.name]!.afterScan) nodes[n.name]!.console += nodes[n.name]!.afterScan!;
      return new Map(list.map((n) => [n.name, 'leaks=1']));
    },
    lostNode,
    marksDir: join(dir, 'marks'),
  };
}

function input(names: string[], scan = false): SoakCheckInput {
  const cluster: ClusterProvisionOutput = { clusterId: 'c', nodes: names.map((name) => ({ name, console: `file:///${name}` })), details: {} };
  const ctx = { cycleId: 'soak-test', rc: 'v1.0.0', cloud: 'local' as const, flavor: 'kasan' as const, module: { name: 'kbug', source: 'k', version: '1' }, manifest: 'm', soak: { durationSeconds: 60, checkIntervalSeconds: 15, scanIntervalSeconds: 30 } };
  return { ctx, cluster, tick: 1, scan, elapsedSeconds: 15 };
}

const up = (detail = 'up 10 s'): NodeState => ({ up: true, healthy: true, detail });

describe('the soak check every cloud shares', () => {
  it('reports how much each console grew since the previous check', async () => {
    const nodes = { a: { console: 'x'.repeat(100), state: up() } };
    const cloud = fakeCloud(nodes);
    expect((await checkSoak(input(['a']), io, cloud)).nodes[0]?.detail).toBe('up 10 s, console +100 B');
    nodes.a.console += 'y'.repeat(20);
    expect((await checkSoak(input(['a']), io, cloud)).nodes[0]?.detail).toBe('up 10 s, console +20 B');
  });

  it('a panic on a console is a finding and the node is not asked for its state', async () => {
    const cloud = fakeCloud({ a: { console: 'boot\n[ 9.0] Oops: 0002 [#1] SMP\n', state: up() }, b: { console: 'boot\n', state: up() } });
    const out = await checkSoak(input(['a', 'b'], true), io, cloud);
    expect(out.panicked).toBe(true);
    expect(out.nodes[0]).toEqual({ name: 'a', healthy: false, panicked: true, detail: 'kernel panic: [ 9.0] Oops: 0002 [#1] SMP' });
    expect(out.nodes[1]).toMatchObject({ name: 'b', healthy: true, panicked: false });
    expect(cloud.scanned).toEqual([['b']]);
  });

  it('scans only healthy nodes, and a panic the scan provoked is seen in the same check', async () => {
    const cloud = fakeCloud({
      a: { console: 'boot\n', state: up(), afterScan: 'Kernel panic - not syncing: kmemleak\n' },
      b: { console: 'boot\n', state: { up: true, healthy: false, detail: 'agent silent' } },
    });
    const out = await checkSoak(input(['a', 'b'], true), io, cloud);
    expect(cloud.scanned).toEqual([['a']]);
    expect(out.nodes[0]).toMatchObject({ panicked: true, detail: 'kernel panic: Kernel panic - not syncing: kmemleak' });
    expect(out.nodes[1]).toMatchObject({ healthy: false, panicked: false, detail: 'agent silent, console +5 B' });
  });

  it('a node gone without a panic is an InfraError where the cloud says so', async () => {
    const gone = { a: { console: 'boot\n', state: { up: false, healthy: false, detail: 'no qemu process' } } };
    const err = await checkSoak(input(['a']), io, fakeCloud(gone)).catch((e: unknown) => e);
    expect(isInfraError(err)).toBe(true);
    expect((err as Error).message).toBe('node a of soak-test stopped without a kernel panic: node lost: no qemu process');
  });

  it('and the end of the soak where the cloud may have replaced a crashed node', async () => {
    const gone = { a: { console: '', state: { up: false, healthy: false, detail: 'instance i-1 is terminated' } } };
    const out = await checkSoak(input(['a']), io, fakeCloud(gone, 'ends-soak'));
    expect(out).toEqual({ panicked: true, nodes: [{ name: 'a', healthy: false, panicked: true, detail: 'node lost: instance i-1 is terminated' }] });
  });
});
