import { NativeConnection } from '@temporalio/worker';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import type { CloudName, CloudProvider } from '../../src/domain/contract';
import { abortUpdate, retryStepUpdate, stateQuery, type CloudCycleState } from '../../src/domain/cycle-state';
import { createWorkers, type WorkerSet } from '../../src/app/worker/create-workers';
import { address, eventually, startCycle, testClient, uniqueQueue, withWorkers } from '../support/engine';
import { scriptedProvider, stepsCalled } from '../support/scripted-provider';
import { recordCyclesAfterEach } from './recorded-cycles';

/** The activity worker of one cloud alone (the workflow worker runs elsewhere), as `rcdebug worker --no-workflows` does. */
async function cloudWorker(taskQueue: string, cloud: CloudName, provider: CloudProvider): Promise<{ stop: () => Promise<void> }> {
  const connection = await NativeConnection.connect({ address: address() });
  const set: WorkerSet = await createWorkers({ connection, namespace: 'default', taskQueue, clouds: [cloud], providers: { [cloud]: provider }, workflows: false });
  const running = set.run();
  return {
    async stop() {
      set.shutdown();
      await running;
      await connection.close();
    },
  };
}

async function parkedState(client: Client, id: string, timeoutMs: number): Promise<CloudCycleState> {
  const child = client.workflow.getHandle(id);
  return eventually(async () => {
    const s = await child.query(stateQuery);
    return s.phase === 'awaiting-operator' ? s : undefined;
  }, timeoutMs, 'the cycle to park');
}

const recorded = recordCyclesAfterEach();

describe('a cloud whose task queue no worker polls', () => {
  it('parks within its schedule-to-start limit naming the queue and the worker command; a worker and a retry complete it', async () => {
    const client = await testClient();
    const taskQueue = recorded(uniqueQueue('noworker'));
    const childId = `${taskQueue}-cycle.local-kasan`;
    const local = scriptedProvider();
    // Only the workflow worker: nothing polls `<queue>-local`.
    await withWorkers({ taskQueue, clouds: [] }, async () => {
      const startedAt = Date.now();
      const h = await startCycle(client, {
        rc: 'v1.0.0-rc1',
        taskQueue,
        soak: { durationSeconds: 0, checkIntervalSeconds: 1, scanIntervalSeconds: 0 },
        profiles: { toolRun: { scheduleToStartSeconds: 2 } },
      });
      const parked = await parkedState(client, childId, 20_000);
      // A schedule-to-start timeout is not retried by the profile (three 2 s waits with backoff
      // would take over 10 s): the step parks after one wait.
      expect(Date.now() - startedAt).toBeLessThan(8_000);
      expect(parked.parked?.step).toBe('kernel-build');
      expect(parked.parked?.error.type).toBe('NoWorker');
      const message = parked.parked?.error.message ?? '';
      // The build steps have queues of their own (a builder host may serve just them).
      expect(message).toContain(`task queue "${taskQueue}-local-kernel-build"`);
      expect(message).toContain(`\`rcdebug worker --clouds local --task-queue ${taskQueue}\` (or a builder host's, with \`--steps kernel-build\`)`);
      expect(message).toContain(`rcdebug rerun ${childId} --retry`);
      expect(parked.steps.find((s) => s.name === 'kernel-build')).toMatchObject({ status: 'awaiting-operator', error: { type: 'NoWorker' } });
      // The activity timed out in the queue: no worker ever ran it.
      expect(local.calls).toEqual([]);

      const worker = await cloudWorker(taskQueue, 'local', local);
      try {
        await client.workflow.getHandle(childId).executeUpdate(retryStepUpdate, { args: [{ step: 'kernel-build' }] });
        expect((await h.result()).verdict).toBe('clean');
      } finally {
        await worker.stop();
      }
      const state = await client.workflow.getHandle(childId).query(stateQuery);
      expect(state.steps.find((s) => s.name === 'kernel-build')).toMatchObject({ status: 'succeeded', runs: 2 });
      expect(state.teardown).toBe('done');
    });
    expect(stepsCalled(local.calls)).toEqual(['kernel-build', 'image-bake', 'version-publish', 'cluster-provision', 'deploy', 'log-harvest', 'teardown']);
  });

  it('a teardown no worker takes is reported as failed, with the worker command', async () => {
    const client = await testClient();
    const taskQueue = recorded(uniqueQueue('noworker-teardown'));
    const childId = `${taskQueue}-cycle.local-kasan`;
    const local = scriptedProvider({ script: { deploy: { fail: ['user'] } } });
    await withWorkers({ taskQueue, clouds: [] }, async () => {
      const worker = await cloudWorker(taskQueue, 'local', local);
      const h = await startCycle(client, {
        rc: 'v1.0.0-rc1',
        taskQueue,
        soak: { durationSeconds: 0, checkIntervalSeconds: 1, scanIntervalSeconds: 0 },
        profiles: { teardown: { scheduleToStartSeconds: 2 } },
      });
      try {
        expect((await parkedState(client, childId, 30_000)).parked?.step).toBe('deploy');
      } finally {
        // The cloud's worker goes away while the cycle is parked: its teardown finds none.
        await worker.stop();
      }
      await client.workflow.getHandle(childId).executeUpdate(abortUpdate, { args: [{ reason: 'the worker is gone' }] });
      expect((await h.result()).verdict).toBe('aborted');
      const err = await client.workflow.getHandle(childId).result().then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      expect(String((err as WorkflowFailedError).cause?.message)).toMatch(/teardown FAILED/);
      const state = await client.workflow.getHandle(childId).query(stateQuery);
      expect(state.teardown).toBe('failed');
      const teardown = state.steps.find((s) => s.name === 'teardown');
      expect(teardown?.error?.type).toBe('NoWorker');
      expect(teardown?.error?.message).toContain(`task queue "${taskQueue}-local"`);
      expect(teardown?.error?.message).toContain(`rcdebug worker --clouds local --task-queue ${taskQueue}`);
    });
    expect(stepsCalled(local.calls)).not.toContain('teardown');
  });
});
