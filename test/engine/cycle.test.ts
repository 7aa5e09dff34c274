import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { abortUpdate, retryStepUpdate, skipStepUpdate, stateQuery, type CloudCycleState } from '../../src/domain/cycle-state';
import { eventually, startCycle, testClient, uniqueQueue, withWorkers } from '../support/engine';
import { scriptedProvider, stepsCalled } from '../support/scripted-provider';
import { recordCyclesAfterEach } from './recorded-cycles';

const quickSoak = { durationSeconds: 3, checkIntervalSeconds: 1, scanIntervalSeconds: 2 };
const ALL = ['kernel-build', 'image-bake', 'version-publish', 'cluster-provision', 'deploy', 'log-harvest', 'teardown'];

async function childState(client: Awaited<ReturnType<typeof testClient>>, id: string): Promise<CloudCycleState> {
  return client.workflow.getHandle(id).query(stateQuery);
}

/** The validator's message of a refused Update. */
async function refusal(p: Promise<unknown>): Promise<string> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  return String((err as WorkflowUpdateFailedError).cause?.message);
}

const recorded = recordCyclesAfterEach();

describe('cloudCycle on a real Temporal server', () => {
  it('runs every step in order, soaks in a loop of checks, tears down once and reports clean', async () => {
    const client = await testClient();
    const taskQueue = recorded(uniqueQueue('happy'));
    const local = scriptedProvider();
    const result = await withWorkers({ taskQueue, clouds: ['local'], providers: { local } }, async () => {
      const h = await startCycle(client, { rc: 'v1.0.0-rc1', taskQueue, soak: quickSoak });
      const r = await h.result();
      return { ...r, state: await childState(client, `${taskQueue}-cycle.local-kasan`) };
    });
    const { state } = result;
    expect(result.verdict).toBe('clean');
    expect(stepsCalled(local.calls)).toEqual(ALL);
    const checks = local.calls.filter((c) => c.step === 'soakCheck');
    expect(checks.length).toBe(3);
    // The last check of a soak always scans, so leaks are caught at the end.
    expect(checks.at(-1)?.scan).toBe(true);
    expect(state.steps.map((s) => s.status)).toEqual(Array(8).fill('succeeded'));
    expect(state.steps.find((s) => s.name === 'image-bake')?.output).toMatchObject({ imageId: 'img-kd-kasan' });
    expect(state.teardown).toBe('done');
  });

  it('fans out one child per cloud and flavor and folds their verdicts', async () => {
    const client = await testClient();
    const taskQueue = recorded(uniqueQueue('fanout'));
    const local = scriptedProvider();
    const aws = scriptedProvider({ cloud: 'aws' });
    const result = await withWorkers({ taskQueue, clouds: ['local', 'aws'], providers: { local, aws } }, async () => {
      const h = await startCycle(client, { rc: 'v1.0.0-rc1', taskQueue, clouds: ['local', 'aws'], manifest: 'test/fixtures/manifests/local-and-aws.yaml', flavors: ['kasan', 'kcsan'], soak: { ...quickSoak, durationSeconds: 0 } });
      return h.result();
    });
    expect(result.children.map((c) => c.key).sort()).toEqual(['aws-kasan', 'aws-kcsan', 'local-kasan', 'local-kcsan']);
    expect(local.calls.filter((c) => c.step === 'kernel-build')).toHaveLength(2);
    expect(aws.calls.filter((c) => c.step === 'kernel-build')).toHaveLength(2);
  });

  it('retries an InfraError by the profile, without parking', async () => {
    const client = await testClient();
    const taskQueue = recorded(uniqueQueue('infra'));
    const local = scriptedProvider({ script: { 'image-bake': { fail: ['infra'] } } });
    const result = await withWorkers({ taskQueue, clouds: ['local'], providers: { local } }, async () => {
      const h = await startCycle(client, { rc: 'v1.0.0-rc1', taskQueue, soak: { ...quickSoak, durationSeconds: 0 } });
      const r = await h.result();
      return { ...r, state: await childState(client, `${taskQueue}-cycle.local-kasan`) };
    });
    const { state } = result;
    expect(result.verdict).toBe('clean');
    expect(local.calls.filter((c) => c.step === 'image-bake').map((c) => c.attempt)).toEqual([1, 2]);
    expect(state.steps.find((s) => s.name === 'image-bake')?.attempts).toBe(2);
  });

  it('does not retry a UserError: the cycle parks, retryStep with a new input completes it', async () => {
    const client = await testClient();
    const taskQueue = recorded(uniqueQueue('user'));
    const local = scriptedProvider({ script: { deploy: { fail: ['user'] } } });
    await withWorkers({ taskQueue, clouds: ['local'], providers: { local } }, async () => {
      const h = await startCycle(client, { rc: 'v1.0.0-rc1', taskQueue, soak: { ...quickSoak, durationSeconds: 0 } });
      const child = client.workflow.getHandle(`${taskQueue}-cycle.local-kasan`);
      const parked = await eventually(async () => {
        const s = await child.query(stateQuery);
        return s.phase === 'awaiting-operator' ? s : undefined;
      }, 30_000, 'the cycle to park');
      expect(parked.parked).toMatchObject({ step: 'deploy', error: { type: 'UserError' } });
      expect(local.calls.filter((c) => c.step === 'deploy')).toHaveLength(1);
      // Updates are validated before they are accepted.
      expect(await refusal(child.executeUpdate(retryStepUpdate, { args: [{ step: 'soak' }] }))).toMatch(/"soak" is not parked; the parked step is "deploy"/);
      expect(await refusal(child.executeUpdate(retryStepUpdate, { args: [{ step: 'deploy', input: { soak: { durationSeconds: -1 } } }] }))).toMatch(/input\.soak\.durationSeconds/);
      expect(await refusal(child.executeUpdate(retryStepUpdate, { args: [{ step: 'deploy', input: { rc: 'v2' } }] }))).toMatch(/input\.rc: cannot be changed/);
      await child.executeUpdate(retryStepUpdate, { args: [{ step: 'deploy', input: { manifest: 'manifests/fixed.yaml' } }] });
      const result = await h.result();
      expect(result.verdict).toBe('clean');
      const state = await childState(client, `${taskQueue}-cycle.local-kasan`);
      expect(state.steps.find((s) => s.name === 'deploy')).toMatchObject({ status: 'succeeded', runs: 2 });
    });
    const deployCalls = local.calls.filter((c) => c.step === 'deploy');
    expect(deployCalls).toHaveLength(2);
    expect(deployCalls.map((c) => c.attempt)).toEqual([1, 1]);
  });

  it('parks and skips a skippable step', async () => {
    const client = await testClient();
    const taskQueue = recorded(uniqueQueue('skip'));
    const local = scriptedProvider({ script: { 'version-publish': { fail: ['user'] } } });
    await withWorkers({ taskQueue, clouds: ['local'], providers: { local } }, async () => {
      const h = await startCycle(client, { rc: 'v1.0.0-rc1', taskQueue, soak: { ...quickSoak, durationSeconds: 0 } });
      const child = client.workflow.getHandle(`${taskQueue}-cycle.local-kasan`);
      await eventually(async () => (await child.query(stateQuery)).phase === 'awaiting-operator', 30_000, 'park');
      await child.executeUpdate(skipStepUpdate, { args: [{ step: 'version-publish' }] });
      expect((await h.result()).verdict).toBe('clean');
      const state = await childState(client, `${taskQueue}-cycle.local-kasan`);
      expect(state.steps.find((s) => s.name === 'version-publish')?.status).toBe('skipped');
    });
    expect(stepsCalled(local.calls)).toEqual(ALL);
  });

  it('abort while parked tears down exactly once and fails the cycle as aborted', async () => {
    const client = await testClient();
    const taskQueue = recorded(uniqueQueue('abort'));
    const local = scriptedProvider({ script: { deploy: { fail: ['user'] } } });
    await withWorkers({ taskQueue, clouds: ['local'], providers: { local } }, async () => {
      const h = await startCycle(client, { rc: 'v1.0.0-rc1', taskQueue, soak: quickSoak });
      const child = client.workflow.getHandle(`${taskQueue}-cycle.local-kasan`);
      await eventually(async () => (await child.query(stateQuery)).phase === 'awaiting-operator', 30_000, 'park');
      await child.executeUpdate(abortUpdate, { args: [{ reason: 'chart is broken' }] });
      const result = await h.result();
      expect(result.verdict).toBe('aborted');
      await expect(child.result()).rejects.toThrow(WorkflowFailedError);
    });
    expect(local.calls.filter((c) => c.step === 'teardown')).toHaveLength(1);
    expect(stepsCalled(local.calls)).not.toContain('log-harvest');
  });

  it('refuses to skip a step later steps need; an abort before provisioning tears nothing down', async () => {
    const client = await testClient();
    const taskQueue = recorded(uniqueQueue('noskip'));
    const local = scriptedProvider({ script: { 'kernel-build': { fail: ['user'] } } });
    await withWorkers({ taskQueue, clouds: ['local'], providers: { local } }, async () => {
      const h = await startCycle(client, { rc: 'v1.0.0-rc1', taskQueue, soak: quickSoak });
      const child = client.workflow.getHandle(`${taskQueue}-cycle.local-kasan`);
      await eventually(async () => (await child.query(stateQuery)).phase === 'awaiting-operator', 30_000, 'park');
      expect(await refusal(child.executeUpdate(skipStepUpdate, { args: [{ step: 'kernel-build' }] }))).toMatch(/cannot be skipped/);
      await child.executeUpdate(abortUpdate, { args: [{}] });
      expect((await h.result()).verdict).toBe('aborted');
      expect((await child.query(stateQuery)).teardown).toBe('not-needed');
    });
    expect(stepsCalled(local.calls)).toEqual(['kernel-build']);
  });

  it('aborts and tears down by itself after operatorTimeout', async () => {
    const client = await testClient();
    const taskQueue = recorded(uniqueQueue('timeout'));
    const local = scriptedProvider({ script: { soakCheck: { fail: ['user'] } } });
    await withWorkers({ taskQueue, clouds: ['local'], providers: { local } }, async () => {
      const h = await startCycle(client, { rc: 'v1.0.0-rc1', taskQueue, soak: quickSoak, operatorTimeoutSeconds: 2 });
      expect((await h.result()).verdict).toBe('aborted');
      const state = await childState(client, `${taskQueue}-cycle.local-kasan`);
      expect(state.phase).toBe('aborted');
      expect(state.teardown).toBe('done');
    });
    expect(local.calls.filter((c) => c.step === 'teardown')).toHaveLength(1);
  });

  it('cancel during soak stops the soak and tears down exactly once', async () => {
    const client = await testClient();
    const taskQueue = recorded(uniqueQueue('cancel'));
    const local = scriptedProvider();
    await withWorkers({ taskQueue, clouds: ['local'], providers: { local } }, async () => {
      const h = await startCycle(client, { rc: 'v1.0.0-rc1', taskQueue, soak: { durationSeconds: 600, checkIntervalSeconds: 1, scanIntervalSeconds: 0 } });
      await eventually(async () => local.calls.some((c) => c.step === 'soakCheck'), 30_000, 'soak to start');
      await h.cancel();
      await expect(h.result()).rejects.toThrow(WorkflowFailedError);
      const state = await childState(client, `${taskQueue}-cycle.local-kasan`);
      expect(state.phase).toBe('cancelled');
      expect(state.teardown).toBe('done');
    });
    expect(local.calls.filter((c) => c.step === 'teardown')).toHaveLength(1);
    expect(stepsCalled(local.calls)).not.toContain('log-harvest');
  });

  it('a panic ends the soak early and is a result, not an error', async () => {
    const client = await testClient();
    const taskQueue = recorded(uniqueQueue('panic'));
    const local = scriptedProvider({ panicAtTick: 2 });
    const result = await withWorkers({ taskQueue, clouds: ['local'], providers: { local } }, async () => {
      const h = await startCycle(client, { rc: 'v1.0.0-rc1', taskQueue, soak: { durationSeconds: 60, checkIntervalSeconds: 1, scanIntervalSeconds: 0 } });
      const r = await h.result();
      return { ...r, state: await childState(client, `${taskQueue}-cycle.local-kasan`) };
    });
    const { state } = result;
    expect(result.verdict).toBe('clean');
    expect(local.calls.filter((c) => c.step === 'soakCheck')).toHaveLength(2);
    expect(state.steps.find((s) => s.name === 'soak')?.output).toMatchObject({ endedEarly: true, reason: 'panic' });
  });

  it('keeps the cluster when the teardown policy says so', async () => {
    const client = await testClient();
    const taskQueue = recorded(uniqueQueue('keep'));
    const local = scriptedProvider();
    await withWorkers({ taskQueue, clouds: ['local'], providers: { local } }, async () => {
      const h = await startCycle(client, { rc: 'v1.0.0-rc1', taskQueue, teardown: 'keep', soak: { ...quickSoak, durationSeconds: 0 } });
      await h.result();
    });
    expect(stepsCalled(local.calls)).not.toContain('teardown');
  });

  it('refuses invalid input from the UI with the field names', async () => {
    const client = await testClient();
    const taskQueue = recorded(uniqueQueue('invalid'));
    await withWorkers({ taskQueue, clouds: [], providers: {} }, async () => {
      const h = await startCycle(client, { rc: 'not-a-version', taskQueue, clouds: ['mars' as never], soak: { durationSeconds: -3 } as never });
      const err = await h.result().catch((e: WorkflowFailedError) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      const msg = String((err as WorkflowFailedError).cause?.message);
      expect(msg).toMatch(/rc:/);
      expect(msg).toMatch(/clouds\.0:/);
      expect(msg).toMatch(/soak\.durationSeconds:/);
    });
  });

  it('refuses, before any child starts, a UI start whose files are bad: the baseline, the module source', async () => {
    const client = await testClient();
    const taskQueue = recorded(uniqueQueue('preflight'));
    const local = scriptedProvider();
    await withWorkers({ taskQueue, clouds: ['local'], providers: { local } }, async () => {
      const h = await startCycle(client, {
        rc: 'v1.0.0-rc1',
        taskQueue,
        baseline: 'test/fixtures/no-such-baseline.yaml',
        module: { name: 'kbug', source: 'kernel/examples/no-such-module', version: '1' },
      });
      const err = await h.result().catch((e: WorkflowFailedError) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      const msg = String((err as WorkflowFailedError).cause?.message);
      expect(msg).toMatch(/baseline: .*no-such-baseline\.yaml does not exist/);
      expect(msg).toMatch(/module\.source: .*no-such-module does not exist/);
      const children = client.workflow.list({ query: `WorkflowId STARTS_WITH "${h.workflowId}."` });
      for await (const child of children) throw new Error(`a child started: ${child.workflowId}`);
    });
    expect(local.calls).toEqual([]);
  });
});
