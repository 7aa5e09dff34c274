import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stateQuery, type CloudCycleState } from '../../src/domain/cycle-state';
import { parseCycleInput } from '../../src/domain/input';
import { renderStepsMarkdown } from '../../src/domain/render';
import { eventually, startCycle, testClient, uniqueQueue, withWorkers } from '../support/engine';
import { goldenLog, UAF_CONSOLE, UAF_TITLE, workloadNoise } from '../support/live-consoles';
import { scriptedProvider } from '../support/scripted-provider';

// Findings during the soak: every check parses the console output since the previous one, on
// a real Temporal server, through the real common soak check over scripted consoles.

const noise = workloadNoise;
const uaf = UAF_CONSOLE;
const invalidFree = goldenLog('kbug-kasan-double-free') + noise(300, 150);
const UAF = UAF_TITLE;
const INVALID_FREE = 'KASAN: invalid-free in kbug_double_free';

describe('findings during the soak', () => {
  it('appear in the state while the soak runs, one per signature with its count, nodes and first check', async () => {
    const client = await testClient();
    const taskQueue = uniqueQueue('live');
    const local = scriptedProvider({ consoles: { 'node-a': { 1: noise(1, 20), 2: uaf, 3: uaf, 5: invalidFree }, 'node-b': { 1: noise(1, 5), 3: uaf } } });
    const child = `${taskQueue}-cycle.local-kasan`;
    const { during, state } = await withWorkers({ taskQueue, clouds: ['local'], providers: { local } }, async () => {
      const h = await startCycle(client, { rc: 'v1.0.0-rc1', taskQueue, soak: { durationSeconds: 8, checkIntervalSeconds: 1, scanIntervalSeconds: 0 } });
      const query = () => client.workflow.getHandle(child).query(stateQuery).catch(() => undefined);
      const seen = await eventually(async () => {
        const s = await query();
        return s?.findings?.length ? s : undefined;
      }, 60_000, 'a finding in the state');
      await h.result();
      return { during: seen, state: (await query()) as CloudCycleState };
    });
    expect(during.steps.find((s) => s.name === 'soak')?.status).toBe('running');
    expect(during.findings?.[0]).toMatchObject({ title: UAF, nodes: ['node-a'], firstSeen: { check: 2 } });
    expect(state.findings?.map((f) => ({ title: f.title, signature: f.signature, type: f.type, status: f.status, nodes: f.nodes, check: f.firstSeen.check, count: f.count }))).toEqual([
      { title: UAF, signature: UAF, type: 'KASAN-USE-AFTER-FREE-READ', status: 'new', nodes: ['node-a', 'node-b'], check: 2, count: 3 },
      { title: INVALID_FREE, signature: INVALID_FREE, type: 'KASAN-INVALID-FREE', status: 'new', nodes: ['node-a'], check: 5, count: 1 },
    ]);
    expect(state.steps.find((s) => s.name === 'soak')?.output).toMatchObject({ checks: 8, endedEarly: false, reason: 'duration' });
    // The Temporal UI's details show them under the steps.
    const md = renderStepsMarkdown(state);
    expect(md.indexOf('| soak |')).toBeLessThan(md.indexOf(`| ${UAF} | KASAN-USE-AFTER-FREE-READ | new | node-a, node-b | check 2, `));
    expect(md).toMatch(/\| KASAN: invalid-free in kbug_double_free \| KASAN-INVALID-FREE \| new \| node-a \| check 5, \d\d:\d\d:\d\d \| 1 \|/);
  });

  it('stopOn "new-finding" ends the soak at the first finding not in the baseline, not at one listed in it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rcdebug-live-'));
    const baseline = join(dir, 'baseline.yaml');
    writeFileSync(baseline, `- signature: "${UAF}"\n  note: the planted bug\n`);
    const client = await testClient();
    const taskQueue = uniqueQueue('stopon');
    const local = scriptedProvider({ consoles: { 'node-a': { 1: noise(1, 20), 2: uaf, 4: invalidFree, 5: uaf } } });
    const state = await withWorkers({ taskQueue, clouds: ['local'], providers: { local } }, async () => {
      const h = await startCycle(client, { rc: 'v1.0.0-rc1', taskQueue, baseline, soak: { durationSeconds: 60, checkIntervalSeconds: 1, scanIntervalSeconds: 0, stopOn: 'new-finding' } });
      await h.result();
      return client.workflow.getHandle(`${taskQueue}-cycle.local-kasan`).query(stateQuery);
    });
    expect(local.calls.filter((c) => c.step === 'soakCheck')).toHaveLength(4);
    expect(state.steps.find((s) => s.name === 'soak')?.output).toMatchObject({ checks: 4, endedEarly: true, reason: 'new-finding' });
    expect(state.findings?.map((f) => [f.title, f.status, f.firstSeen.check])).toEqual([[UAF, 'known', 2], [INVALID_FREE, 'new', 4]]);
  });

  it('a bad soak.stopOn is refused, naming the field and what to use', () => {
    expect(parseCycleInput({ rc: 'v1.0.0-rc1', soak: { stopOn: 'first-bug' } }).errors).toEqual([
      { field: 'soak.stopOn', message: '"first-bug" is not a reason to stop the soak: use "new-finding" (end it at the first finding not in the baseline), or leave soak.stopOn out to run the soak out' },
    ]);
  });
});
