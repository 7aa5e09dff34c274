import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import type { CloudJanitorInput, JanitorActionRow } from '../../activities/plugin';
import { workflowBundle } from '../../src/app/worker/create-workers';
import { address, startCycle, testClient, uniqueQueue, withWorkers } from '../support/engine';
import { scriptedProvider } from '../support/scripted-provider';

describe('clouds as plugins, on the real dev server', () => {
  it('cloudJanitor runs the sweep of the cloud its input names, on <base>-<cloud>', async () => {
    const taskQueue = uniqueQueue('janitor');
    const seen: Array<Record<string, unknown>> = [];
    const row: JanitorActionRow = { kind: 'instance', id: 'i-1', cycle: 'c1', reason: 'its cycle is closed', outcome: 'removed' };
    const connection = await NativeConnection.connect({ address: address() });
    const workers = await Promise.all([
      Worker.create({ connection, taskQueue, workflowBundle: await workflowBundle() }),
      Worker.create({ connection, taskQueue: `${taskQueue}-aws`, activities: { janitorSweep: async (input: Record<string, unknown>) => (seen.push(input), [row]) } }),
    ]);
    const running = Promise.all(workers.map((w) => w.run()));
    const client = await testClient();
    try {
      const input: CloudJanitorInput = { cloud: 'aws', sweep: { ttlSeconds: 3600, dryRun: true } };
      const result = await client.workflow.execute('cloudJanitor', { taskQueue, workflowId: `${taskQueue}-sweep`, args: [input] });
      expect(result).toEqual([row]);
      expect(seen).toEqual([{ ttlSeconds: 3600, dryRun: true }]);
    } finally {
      for (const w of workers) w.shutdown();
      await running;
      await client.connection.close();
      await connection.close();
    }
  });

  it("a cloud's worker registers its plugin's janitor sweep; a bad sweep input fails at once as a UserError", async () => {
    const taskQueue = uniqueQueue('janitor-aws');
    await withWorkers({ taskQueue, clouds: ['aws'], providers: { aws: scriptedProvider({ cloud: 'aws' }) } }, async () => {
      const client = await testClient();
      try {
        const input: CloudJanitorInput = { cloud: 'aws', sweep: { ttlSeconds: 0 } };
        const err = await client.workflow.execute('cloudJanitor', { taskQueue, workflowId: `${taskQueue}-sweep`, args: [input] }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(WorkflowFailedError);
        const cause = (err as WorkflowFailedError).cause?.cause;
        expect(cause).toBeInstanceOf(ApplicationFailure);
        expect((cause as ApplicationFailure).type).toBe('UserError');
        expect((cause as ApplicationFailure).nonRetryable).toBe(true);
        expect((cause as ApplicationFailure).message).toMatch(/ttlSeconds 0 must be more than 0/);
      } finally {
        await client.connection.close();
      }
    });
  });

  it('a cycle started from the UI on a cloud with no plugin fails at once naming clouds and the supported ones', async () => {
    const taskQueue = uniqueQueue('no-plugin');
    const client = await testClient();
    try {
      await withWorkers({ taskQueue, clouds: [] }, async () => {
        const h = await startCycle(client, { rc: 'v1.0.0', taskQueue, clouds: ['nocloud' as never] });
        const err = await h.result().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(WorkflowFailedError);
        expect(String((err as WorkflowFailedError).cause?.message)).toMatch(/clouds\.0: unknown cloud "nocloud": clouds takes local, aws/);
      });
    } finally {
      await client.connection.close();
    }
  });
});
