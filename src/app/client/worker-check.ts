import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import type { CycleInput } from '../../domain/contract';
import { UserError } from '../../domain/errors';
import { BUILD_STEPS, cloudQueue, stepQueue } from '../../domain/task-queues';

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
 * Refuses a cycle whose clouds have no worker: asks Temporal for the pollers of each cloud's
 * activity queues (`<base>-<cloud>` and the build steps' own). Without one the cycle's step
 * would wait there for good.
 */
export async function checkWorkers(client: Client, input: Pick<CycleInput, 'clouds' | 'taskQueue'>): Promise<void> {
  const deadline = Date.now() + FIRST_POLL_MS;
  let missing = input.clouds.flatMap((cloud) => [cloudQueue(input.taskQueue, cloud), ...BUILD_STEPS.map((s) => stepQueue(input.taskQueue, cloud, s))].map((queue) => ({ cloud, queue })));
  for (;;) {
    const counts = await Promise.all(missing.map((m) => pollerCount(client, m.queue)));
    missing = missing.filter((_, i) => counts[i] === 0);
    if (missing.length === 0) return;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const queues = missing.map((m) => `"${m.queue}"`).join(', ');
  const clouds = [...new Set(missing.map((m) => m.cloud))].join(',');
  const base = input.taskQueue === 'rcdebug' ? '' : ` --task-queue ${input.taskQueue}`;
  throw new UserError(
    `no worker polls ${queues}: the cycle's step would wait there until its schedule-to-start limit, then park`,
    'clouds',
    `start one with \`rcdebug worker --clouds ${clouds}${base}\` (on a machine with that cloud's credentials; a builder host serves the build queues with --steps), or pass --no-worker-check to start anyway`,
  );
}
