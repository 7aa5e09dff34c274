import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import type { CycleInput } from '../../domain/contract';
import { UserError } from '../../domain/errors';

/** How long a worker that has just started may take to poll for the first time. */
const FIRST_POLL_MS = 3_000;

async function pollerCount(client: Client, taskQueue: string): Promise<number> {
  const res = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: taskQueue, kind: proto.temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: proto.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
  });
  return res.pollers?.length ?? 0;
}

/**
 * Refuses a cycle whose clouds have no worker: asks Temporal for the pollers of each
 * `<base>-<cloud>` activity queue. Without one the cycle's first step would wait there for good.
 */
export async function checkWorkers(client: Client, input: Pick<CycleInput, 'clouds' | 'taskQueue'>): Promise<void> {
  const deadline = Date.now() + FIRST_POLL_MS;
  let missing = input.clouds;
  for (;;) {
    const counts = await Promise.all(missing.map((c) => pollerCount(client, `${input.taskQueue}-${c}`)));
    missing = missing.filter((_, i) => counts[i] === 0);
    if (missing.length === 0) return;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const queues = missing.map((c) => `"${input.taskQueue}-${c}"`).join(', ');
  const base = input.taskQueue === 'rcdebug' ? '' : ` --task-queue ${input.taskQueue}`;
  throw new UserError(
    `no worker polls ${queues}: the cycle's first step would wait there until its schedule-to-start limit, then park`,
    'clouds',
    `start one with \`rcdebug worker --clouds ${missing.join(',')}${base}\` (on a machine with that cloud's credentials), or pass --no-worker-check to start anyway`,
  );
}
