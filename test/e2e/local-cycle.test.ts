import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qemuProcessesWith, safeId } from '../../activities/providers/local/vm-state';
import { stateQuery, type CloudCycleResult } from '../../src/domain/cycle-state';
import { eventually, startCycle, uniqueQueue, withWorkers } from '../support/engine';
import { localE2e } from '../support/local-e2e';
import { writeManifest } from '../local/support/local-image';

// The full cycle on the local cloud through the real dev server: real kernel, real qemu VMs,
// the example module's planted bugs found on the nodes that ran them. State is private to this
// run; the kernel cache is the machine's, so only the first run ever builds a kernel.

// The titles kbug's planted bugs get. The leak's title names the first frame that is not an
// allocator (the findings engine skips `*alloc*` frames, as syzkaller does), so it is matched
// by pattern.
const TITLES = {
  uaf: /^KASAN: use-after-free Read in kbug_uaf_read$/,
  leak: /^memory leak in kbug_\w+$/,
  deadlock: /^possible deadlock in kbug_lock_ba$/,
};

const e2e = localE2e();
const provider = () => e2e.provider();
const client = () => e2e.client();

/**
 * One clean node: for the tests whose point is not the findings (the cache hits, the cancel).
 * Each node is a kasan guest under TCG, minutes of the CI's two cores; the kernel and image
 * digests do not depend on the manifest, so the caches are the demo manifest's.
 */
const scratch = mkdtempSync(join(tmpdir(), 'rcdebug-local-cycle-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let ONE_NODE = '';
beforeAll(async () => {
  ONE_NODE = await writeManifest(scratch, { memoryMiB: 512, cpus: 1, nodes: [{ name: 'node-clean', modules: [{ name: 'kbug', params: { bug: 'none' } }], workload: { network: true } }] });
});

const cycleInput = (taskQueue: string, durationSeconds: number, manifest = 'manifests/local-demo.yaml') => ({
  rc: 'v0.1.0-rc1',
  taskQueue,
  clouds: ['local' as const],
  flavors: ['kasan' as const],
  manifest,
  soak: { durationSeconds, checkIntervalSeconds: 20, scanIntervalSeconds: durationSeconds },
  // A failing step must fail the test, not wait a day for an operator.
  operatorTimeoutSeconds: 5,
});

/** Runs one cycle to its end and returns the local/kasan child's result. */
async function runCycle(name: string, durationSeconds: number, manifest: string): Promise<CloudCycleResult> {
  return (await runCycleWatching(name, durationSeconds, manifest)).result;
}

/**
 * Runs one cycle to its end, polling the local/kasan child's state meanwhile; returns its
 * result and the soak step's status when the state first showed the use-after-free.
 */
async function runCycleWatching(name: string, durationSeconds = 60, manifest?: string): Promise<{ result: CloudCycleResult; soakWhenUafSeen?: string | undefined }> {
  const taskQueue = uniqueQueue(name);
  return withWorkers({ taskQueue, clouds: ['local'], providers: { local: provider() } }, async () => {
    const handle = await startCycle(client(), cycleInput(taskQueue, durationSeconds, manifest));
    const child = client().workflow.getHandle(`${handle.workflowId}.local-kasan`);
    let soakWhenUafSeen: string | undefined;
    let done = false;
    const watching = (async () => {
      while (!done && soakWhenUafSeen === undefined) {
        const state = await child.query(stateQuery).catch(() => undefined);
        if (state?.findings?.some((f) => TITLES.uaf.test(f.title))) soakWhenUafSeen = state.steps.find((s) => s.name === 'soak')?.status;
        await new Promise((r) => setTimeout(r, 1_000));
      }
    })();
    await handle.result();
    done = true;
    await watching;
    return { result: (await child.result()) as CloudCycleResult, soakWhenUafSeen };
  });
}

/**
 * The line of kbug.c that holds the use-after-free, found in the source so it follows edits:
 * in kbug_uaf_read, the first use of `obj` after `kfree(obj)`. Returns its number and text.
 */
function uafLine(): { line: number; text: string } {
  const lines = readFileSync('kernel/examples/kbug/kbug.c', 'utf8').split('\n');
  const fn = lines.findIndex((l) => /\bkbug_uaf_read\(void\)/.test(l));
  const freed = lines.findIndex((l, i) => i > fn && /\bkfree\(obj\)/.test(l));
  const use = lines.findIndex((l, i) => i > freed && /\bobj->/.test(l));
  expect(fn >= 0 && freed > fn && use > freed).toBe(true);
  return { line: use + 1, text: lines[use]!.trim() };
}

const stepOutput = (r: CloudCycleResult, step: string) => r.steps.find((s) => s.name === step)?.output as Record<string, unknown> | undefined;

describe('local cloud end to end', () => {
  it('a cold cycle finds each planted bug on its node only, and the clean node is clean', async () => {
    const started = Date.now();
    const { result: r, soakWhenUafSeen } = await runCycleWatching('e2e-local-cold');
    console.log(`cold cycle: ${((Date.now() - started) / 1000).toFixed(0)} s; steps: ${r.steps.map((s) => `${s.name} ${((s.durationMs ?? 0) / 1000).toFixed(0)}s`).join(', ')}`);
    expect(r.error).toBeUndefined();
    expect(r.verdict).toBe('findings');
    const findings = r.harvest?.findings ?? [];
    console.log(`findings: ${findings.map((f) => `${f.title} @ ${f.nodes.join(',')}`).join(' | ')}`);
    const nodesOf = (title: RegExp) => findings.filter((f) => title.test(f.title)).map((f) => f.nodes);
    expect(nodesOf(TITLES.uaf)).toEqual([['node-uaf']]);
    expect(nodesOf(TITLES.leak)).toEqual([['node-uaf']]);
    expect(nodesOf(TITLES.deadlock)).toEqual([['node-deadlock']]);
    expect(findings.filter((f) => f.nodes.includes('node-clean'))).toEqual([]);
    // The use-after-free's guilty frame resolves (vmlinux and kbug.ko of the cache) to the line
    // of kbug.c that reads the freed object; the Markdown report shows that line.
    const uaf = uafLine();
    expect(findings.find((f) => TITLES.uaf.test(f.title))?.source).toBe(`kbug.c:${uaf.line}`);
    const markdown = readFileSync(fileURLToPath(r.harvest!.reports.markdown), 'utf8');
    expect(markdown).toContain(`- **Source:** \`kbug.c:${uaf.line}\`: \`${uaf.text}\``);
    expect(markdown).toMatch(/^Source lines: \d+ of \d+ frame\(s\) resolved with addr2line from vmlinux, kbug\.ko/m);
    // Kernel frames resolve too, inlined functions included: the local kernels' reduced debug
    // info keeps the line tables and inlining records addr2line reads.
    expect(markdown).toMatch(/ kasan_report\+0x[0-9a-f]+\/0x[0-9a-f]+ mm\/kasan\/report\.c:\d+$/m);
    expect(markdown).toMatch(/ mm\/kasan\/report\.c:\d+ \[inlined\]$/m);
    expect(r.harvest?.nodes).toEqual({ 'node-uaf': 'findings', 'node-deadlock': 'findings', 'node-clean': 'clean' });
    expect(stepOutput(r, 'teardown')?.removed).toEqual(expect.arrayContaining(['vm:node-uaf', 'vm:node-deadlock', 'vm:node-clean']));
    expect(qemuProcessesWith(safeId(r.cycleId))).toEqual([]);
    // The soak's checks found the use-after-free while the soak ran, before log-harvest.
    expect(soakWhenUafSeen).toBe('running');
  }, 3_600_000);

  it('a cycle again (one clean node, no soak): kernel-build and image-bake are cache hits', async () => {
    const started = Date.now();
    const r = await runCycle('e2e-local-warm', 0, ONE_NODE);
    console.log(`warm cycle: ${((Date.now() - started) / 1000).toFixed(0)} s`);
    expect(r.error).toBeUndefined();
    expect(stepOutput(r, 'kernel-build')?.cacheHit).toBe(true);
    expect(stepOutput(r, 'image-bake')?.cacheHit).toBe(true);
    expect(r.harvest?.nodes).toEqual({ 'node-clean': 'clean' });
    expect(r.verdict).toBe('clean');
  }, 1_800_000);

  it('a cycle cancelled during the soak tears down: no qemu of it is left', async () => {
    const taskQueue = uniqueQueue('e2e-local-cancel');
    await withWorkers({ taskQueue, clouds: ['local'], providers: { local: provider() } }, async () => {
      const handle = await startCycle(client(), cycleInput(taskQueue, 1_800, ONE_NODE));
      const childId = `${handle.workflowId}.local-kasan`;
      const child = client().workflow.getHandle(childId);
      await eventually(
        async () => (await child.query(stateQuery)).currentStep === 'soak',
        1_200_000,
        'the soak to start',
      );
      expect(qemuProcessesWith(safeId(childId)).length).toBe(1);
      await handle.cancel();
      await handle.result().catch((e: unknown) => e);
      const state = await child.query(stateQuery);
      expect(state.teardown).toBe('done');
      expect(state.steps.find((s) => s.name === 'teardown')?.status).toBe('succeeded');
      expect(qemuProcessesWith(safeId(childId))).toEqual([]);
    });
  }, 1_800_000);
});
