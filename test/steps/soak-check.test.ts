import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkSoak, pieceOf, type NodeState, type SoakNodes } from '../../activities/steps/soak-check';
import type { ClusterProvisionOutput, ConsoleMark, SoakCheckInput, SoakCheckOutput, StepIO } from '../../src/domain/contract';
import { isInfraError } from '../../src/domain/errors';
import { CONSOLE_START, scanConsolePiece } from '../../src/domain/findings/index';
import { goldenLog, workloadNoise } from '../support/live-consoles';

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
    console: async (n, from) => pieceOf(nodes[n.name]!.console, from),
    states: async (list) => new Map(list.map((n) => [n.name, nodes[n.name]!.state])),
    async scan(list) {
      scanned.push(list.map((n) => n.name));
      for (const n of list) if (nodes[n.name]!.afterScan) nodes[n.name]!.console += nodes[n.name]!.afterScan!;
      return new Map(list.map((n) => [n.name, 'leaks=1']));
    },
    lostNode,
    marksDir: join(dir, 'marks'),
    settleMs: 20,
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

  it('a node that died at an earlier check stays dead, is not asked for its state, and the others are checked', async () => {
    const nodes = {
      a: { console: 'boot\n', state: { up: false, healthy: false, detail: 'no qemu process' } },
      b: { console: 'boot\n', state: up() },
    };
    const cloud = fakeCloud(nodes);
    const asked: string[][] = [];
    const states = cloud.states;
    cloud.states = async (list, io2) => (asked.push(list.map((n) => n.name)), states(list, io2));
    const out = await checkSoak({ ...input(['a', 'b'], true), dead: { a: 'kernel panic: Kernel panic - not syncing: KASAN: panic_on_warn set ...' } }, io, cloud);
    expect(asked).toEqual([['b']]);
    expect(cloud.scanned).toEqual([['b']]);
    expect(out.nodes).toEqual([
      { name: 'a', healthy: false, panicked: true, detail: 'kernel panic: Kernel panic - not syncing: KASAN: panic_on_warn set ...' },
      { name: 'b', healthy: true, panicked: false, detail: 'up 10 s, console +5 B, kmemleak: leaks=1' },
    ]);
  });

  it('and the end of the soak where the cloud may have replaced a crashed node', async () => {
    const gone = { a: { console: '', state: { up: false, healthy: false, detail: 'instance i-1 is terminated' } } };
    const out = await checkSoak(input(['a']), io, fakeCloud(gone, 'ends-soak'));
    expect(out).toEqual({ panicked: true, nodes: [{ name: 'a', healthy: false, panicked: true, detail: 'node lost: instance i-1 is terminated' }], consoles: { a: { offset: 0, reported: 0, read: 0 } }, findings: [] });
  });
});

const golden = goldenLog;
const noise = workloadNoise;

describe('the soak check parses only the console output that arrived since the previous check', () => {
  const uaf = golden('kbug-kasan-uaf');
  const doubleFree = golden('kbug-kasan-double-free');

  /** One check that resumes at `consoles` (as the workflow passes them on). */
  async function check(cloud: SoakNodes, consoles?: Record<string, ConsoleMark>): Promise<SoakCheckOutput> {
    return checkSoak({ ...input(['a']), consoles }, io, cloud);
  }

  it('a report split across two checks is found once, complete', () => {
    // The parse of each check, as checkSoak runs it: the first check read only the header of
    // a report (and its wait for the rest ran out); it holds the report and returns nothing.
    const cut = uaf.indexOf('\n', uaf.indexOf('BUG: KASAN')) + 1;
    const head = Buffer.from(noise(1, 20) + uaf.slice(0, cut));
    const first = scanConsolePiece(head, 0, CONSOLE_START);
    expect(first.reports).toEqual([]);
    expect(first.pending.map((r) => r.report.title)).toEqual(['KASAN: use-after-free in kbug_uaf_read [kbug]']);
    expect(first.mark.offset).toBe(Buffer.byteLength(noise(1, 20)) + uaf.lastIndexOf('\n', uaf.indexOf('BUG: KASAN')) + 1);
    // The next check reads from the report's header and returns it whole, with its real title.
    const whole = Buffer.from(noise(1, 20) + uaf + noise(100, 5));
    const second = scanConsolePiece(whole.subarray(first.mark.offset), first.mark.offset, first.mark);
    expect(second.reports.map((r) => [r.report.title, r.report.type, r.finished])).toEqual([['KASAN: use-after-free Read in kbug_uaf_read', 'KASAN-USE-AFTER-FREE-READ', false]]);
    // Still open there: the one after parses it again and does not return it again.
    const more = Buffer.concat([whole, Buffer.from(noise(200, 150))]);
    const third = scanConsolePiece(more.subarray(second.mark.offset), second.mark.offset, second.mark);
    expect(third.reports).toEqual([]);
    expect(third.mark.offset).toBe(more.length);
  });

  it('a report the console is printing while the check reads it is waited for and returned once, complete', async () => {
    const cut = uaf.indexOf('\n', uaf.indexOf('BUG: KASAN')) + 1;
    const node: FakeNode = { console: noise(1, 20) + uaf.slice(0, cut), state: up() };
    const cloud = fakeCloud({ a: node });
    // The rest of the report comes while the check waits, and workload output goes on.
    let reads = 0;
    const console = cloud.console;
    cloud.console = async (n, from) => {
      reads++;
      if (reads === 2) node.console += uaf.slice(cut);
      if (reads > 2) node.console += noise(50 + reads, 1);
      return console(n, from);
    };
    const first = await check(cloud);
    expect(reads).toBe(3);
    expect(first.findings).toEqual([{ title: 'KASAN: use-after-free Read in kbug_uaf_read', signature: 'KASAN: use-after-free Read in kbug_uaf_read', status: 'new', type: 'KASAN-USE-AFTER-FREE-READ', nodes: ['a'], count: 1 }]);
    node.console += noise(100, 150);
    const second = await check(cloud, first.consoles);
    expect(second.findings).toEqual([]);
    // The report is finished now: the next check starts after it.
    expect(second.consoles?.a?.offset).toBe(Buffer.byteLength(node.console));
  });

  it('a report at the end of the console is returned at once when it stays the same, and not again', async () => {
    const node: FakeNode = { console: noise(1, 20) + uaf, state: up() };
    const cloud = fakeCloud({ a: node });
    const first = await check(cloud);
    expect(first.findings?.map((f) => [f.title, f.count])).toEqual([['KASAN: use-after-free Read in kbug_uaf_read', 1]]);
    // Still open (no quiet tail yet): the next check parses it again but does not return it.
    expect(first.consoles?.a?.offset).toBe(Buffer.byteLength(noise(1, 20)) + uaf.lastIndexOf('\n', uaf.indexOf('BUG: KASAN')) + 1);
    node.console += noise(100, 3);
    expect((await check(cloud, first.consoles)).findings).toEqual([]);
  });

  it('reads only the output after the resume point', async () => {
    const node: FakeNode = { console: uaf + noise(100, 150), state: up() };
    const cloud = fakeCloud({ a: node });
    const asked: number[] = [];
    const console = cloud.console;
    cloud.console = async (n, from) => {
      asked.push(from);
      return console(n, from);
    };
    const first = await check(cloud);
    expect(first.findings?.map((f) => f.title)).toEqual(['KASAN: use-after-free Read in kbug_uaf_read']);
    const mark = first.consoles!.a!;
    expect(mark.offset).toBe(Buffer.byteLength(node.console));
    // Garbage before the mark is never read again: a check that read from 0 would fail on nothing, so prove it by the offsets asked.
    node.console += doubleFree + noise(300, 150);
    const second = await check(cloud, first.consoles);
    expect(asked).toEqual([0, mark.offset]);
    expect(second.findings?.map((f) => [f.title, f.count])).toEqual([['KASAN: invalid-free in kbug_double_free', 1]]);
  });

  it('two reports of one bug in one check are one finding with count 2; a known one has status known', async () => {
    const baseline = join(dir, 'baseline.yaml');
    writeFileSync(baseline, '- signature: "KASAN: invalid-free in kbug_double_free"\n');
    const node: FakeNode = { console: uaf + noise(100, 150) + uaf + noise(300, 150) + doubleFree + noise(500, 150), state: up() };
    const out = await checkSoak({ ...input(['a']), ctx: { ...input(['a']).ctx, baseline } }, io, fakeCloud({ a: node }));
    expect(out.findings?.map((f) => [f.title, f.status, f.count])).toEqual([
      ['KASAN: use-after-free Read in kbug_uaf_read', 'new', 2],
      ['KASAN: invalid-free in kbug_double_free', 'known', 1],
    ]);
  });

  it('a node whose console was appended after a restart is read on from the mark', async () => {
    const node: FakeNode = { console: noise(1, 10) + uaf + noise(100, 150), state: up() };
    const cloud = fakeCloud({ a: node });
    const first = await check(cloud);
    expect(first.findings).toHaveLength(1);
    // The VM restarted: its new boot is appended to the same console, with the same bug.
    node.console += '[    0.000000] Linux version 6.1.119 (rcdebug)\n' + noise(1, 5) + uaf + noise(100, 150);
    const second = await check(cloud, first.consoles);
    expect(second.findings?.map((f) => [f.title, f.count])).toEqual([['KASAN: use-after-free Read in kbug_uaf_read', 1]]);
    // A console replaced by a shorter one is parsed from its start.
    node.console = uaf;
    const third = await check(cloud, second.consoles);
    expect(third.findings?.map((f) => f.title)).toEqual(['KASAN: use-after-free Read in kbug_uaf_read']);
  });

  it('invalid UTF-8 and binary garbage between reports do not shift the byte offsets', async () => {
    let bytes = Buffer.concat([Buffer.from(noise(1, 5)), Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x0a]), Buffer.from(uaf + noise(100, 150))]);
    const cloud = fakeCloud({ a: { console: '', state: up() } });
    cloud.console = async (_n, from) => pieceOf(bytes, from);
    const first = await check(cloud);
    expect(first.findings?.map((f) => f.title)).toEqual(['KASAN: use-after-free Read in kbug_uaf_read']);
    expect(first.consoles?.a?.offset).toBe(bytes.length);
    bytes = Buffer.concat([bytes, Buffer.from([0xe2, 0x82, 0x0a, 0xf0, 0x9f]), Buffer.from('\n' + doubleFree + noise(300, 150))]);
    const second = await check(cloud, first.consoles);
    expect(second.findings?.map((f) => [f.title, f.count])).toEqual([['KASAN: invalid-free in kbug_double_free', 1]]);
    expect(second.consoles?.a?.offset).toBe(bytes.length);
  });
});
