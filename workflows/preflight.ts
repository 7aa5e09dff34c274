/**
 * The files a cycle will read (manifest through its clouds' rules, baseline, module source),
 * checked by the `preflight` activity before any child starts, so a cycle started from the UI
 * or a schedule is refused at once, like one from `rcdebug start`, instead of after a kernel
 * build and a whole soak. Workflow code: the files are read by a worker of the cycle's first
 * cloud.
 */
import { ActivityFailure, ApplicationFailure, log, proxyActivities } from '@temporalio/workflow';
import type { StepActivities } from '../activities';
import type { CycleInput } from '../src/domain/contract';
import { USER_ERROR, formatIssues } from '../src/domain/errors';
import { isWorkerWait, profileOptions, workerWaitSeconds } from './profiles';

/** At most this long the check waits for a worker before the cycle goes on without it. */
const PREFLIGHT_WORKER_WAIT_SECONDS = 60;

/** Fails the workflow, naming every bad field, when preflight finds errors. */
export async function preflightOrFail(input: CycleInput): Promise<void> {
  const { preflight } = proxyActivities<StepActivities>({
    ...profileOptions('quick', input.profiles),
    // Not the full wait of a step: with no worker the children park and say which one to
    // start, so the check waits no longer than the first step would, and a minute at most.
    scheduleToStartTimeout: Math.min(PREFLIGHT_WORKER_WAIT_SECONDS, workerWaitSeconds('kernel-build', input.profiles)) * 1000,
    taskQueue: `${input.taskQueue}-${input.clouds[0]}`,
    summary: 'preflight',
  });
  try {
    const { errors } = await preflight({ manifest: input.manifest, clouds: input.clouds, baseline: input.baseline, module: input.module });
    if (errors.length) throw ApplicationFailure.nonRetryable(formatIssues('invalid cycle input', errors), USER_ERROR, errors);
  } catch (err) {
    // No worker took the check: the children's first steps park with the message that says
    // which worker to start, so the check is left to them rather than failing the cycle here.
    if (err instanceof ActivityFailure && isWorkerWait(err.cause)) {
      log.warn('preflight: no worker took the input check; the cycle starts without it', { queue: `${input.taskQueue}-${input.clouds[0]}` });
      return;
    }
    throw err;
  }
}
