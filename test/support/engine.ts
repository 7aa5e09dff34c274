/** Helpers for tests that run cycles on the real dev server of the global setup. */
import { randomUUID } from 'node:crypto';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { inject } from 'vitest';
import type { CloudName, CloudProvider } from '../../src/domain/contract';
import type { RawCycleInput } from '../../src/domain/input';
import { createWorkers } from '../../src/app/worker/create-workers';
import type { rcCycle } from '../../workflows/rc-cycle';

export const address = () => inject('temporalAddress');

export async function testClient(): Promise<Client> {
  const connection = await Connection.connect({ address: address() });
  return new Client({ connection, namespace: 'default' });
}

/** A task queue no other test uses, so tests can share one server. */
export function uniqueQueue(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Runs the workflow worker and the activity workers of `clouds` around `fn` (on the test server, or at `address`), then shuts them down. */
export async function withWorkers<T>(
  opts: { taskQueue: string; clouds: CloudName[]; providers?: Partial<Record<CloudName, CloudProvider>>; address?: string },
  fn: () => Promise<T>,
): Promise<T> {
  const { address: at, ...workerOpts } = opts;
  const connection = await NativeConnection.connect({ address: at ?? address() });
  const set = await createWorkers({ connection, namespace: 'default', ...workerOpts });
  const running = set.run();
  try {
    return await fn();
  } finally {
    set.shutdown();
    await running;
    await connection.close();
  }
}

/** Starts an `rcCycle` on the test server; the task queue defaults to `input.taskQueue`. */
export async function startCycle(client: Client, input: RawCycleInput & { taskQueue: string }, workflowId?: string): Promise<WorkflowHandle<typeof rcCycle>> {
  return client.workflow.start('rcCycle', {
    taskQueue: input.taskQueue,
    workflowId: workflowId ?? `${input.taskQueue}-cycle`,
    args: [input],
  }) as Promise<WorkflowHandle<typeof rcCycle>>;
}

/** Polls `fn` until it returns a truthy value or the time runs out. */
export async function eventually<T>(fn: () => Promise<T | undefined | false>, timeoutMs = 60_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastErr ? `: ${(lastErr as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
