/** How a step failure reads in the state query, the UI details and the cycle's error. */
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import type { StepFailureDetails } from '../../activities';
import type { StepName } from '../../src/domain/contract';
import { isBuildStep } from '../../src/domain/task-queues';
import { isWorkerWait, workerWaitSeconds } from '../profiles';
import { queueFor, type Cycle } from './cycle';

/** The error type of a step whose activity no worker started within its schedule-to-start limit. */
export const NO_WORKER = 'NoWorker';

export interface FailureDescription {
  type: string;
  message: string;
}

/** The error type and message of a failure; `step` is the step it ended, when there is one. */
export function describeFailure(err: unknown, c: Cycle, step?: StepName): FailureDescription {
  let e = err as Error & { cause?: unknown; type?: string };
  if (e instanceof ActivityFailure && e.cause) {
    if (step && isWorkerWait(e.cause)) return { type: NO_WORKER, message: noWorkerMessage(c, step) };
    e = e.cause as typeof e;
  }
  if (e instanceof ApplicationFailure) return { type: e.type ?? 'Error', message: e.message };
  return { type: e?.name ?? 'Error', message: e?.message ?? String(err) };
}

/** Attempts a failed activity made, from the details its wrapper attached. */
export function attemptsOf(err: unknown): number {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) {
    const details = err.cause.details?.[0] as StepFailureDetails | undefined;
    if (details && typeof details.attempt === 'number') return details.attempt;
  }
  return 1;
}

/** Names the queue nobody took the step from, and the commands that get the cycle going again. */
function noWorkerMessage(c: Cycle, step: StepName): string {
  const base = c.input.taskQueue;
  const worker = `rcdebug worker --clouds ${c.input.cloud}${base === 'rcdebug' ? '' : ` --task-queue ${base}`}`;
  const builder = isBuildStep(step) ? ` (or a builder host's, with \`--steps ${step}\`)` : '';
  const waited = workerWaitSeconds(step, c.input.profiles);
  return (
    `no worker started "${step}" on task queue "${queueFor(c, step)}" within ${waited} s (none polls it, or all are busy): ` +
    `start one with \`${worker}\`${builder}, then retry with \`rcdebug rerun ${c.ctx.cycleId} --retry\``
  );
}
