/**
 * Named activity profiles: timeouts, retries and heartbeats per kind of step, so no call site
 * repeats them. A UserError is never retried, whatever the profile.
 */
import type { Duration } from '@temporalio/common';
import { TimeoutFailure, type ActivityOptions, type RetryPolicy } from '@temporalio/workflow';
import type { ProfileOverride, StepName } from '../src/domain/contract';
import { USER_ERROR } from '../src/domain/errors';

const noRetryFor = [USER_ERROR];

/**
 * How long a step's activity waits in its task queue for a worker, in every profile. Without a
 * limit a cycle whose cloud no worker polls would wait for good; past it the step parks and
 * says which worker to start. Long enough for busy workers to catch up.
 */
export const WORKER_WAIT_SECONDS = 600;
const scheduleToStartTimeout = WORKER_WAIT_SECONDS * 1000;

/** A retry policy that never retries a UserError. */
function retry(initialInterval: Duration, backoffCoefficient: number, maximumInterval: Duration, maximumAttempts: number): RetryPolicy {
  return { initialInterval, backoffCoefficient, maximumInterval, maximumAttempts, nonRetryableErrorTypes: noRetryFor };
}

export const PROFILES = {
  /** API calls: registry writes, describes. Seconds each, retried often. */
  quick: {
    scheduleToStartTimeout,
    startToCloseTimeout: '5 minutes',
    retry: retry('1s', 2, '30s', 6),
  },
  /** Long tool runs (make, packer, terraform, helm, qemu boots): they heartbeat progress. */
  toolRun: {
    scheduleToStartTimeout,
    startToCloseTimeout: '4 hours',
    heartbeatTimeout: '3 minutes',
    retry: retry('1s', 4, '2 minutes', 3),
  },
  /** One soak health check (and kmemleak double scan when due). */
  soak: {
    scheduleToStartTimeout,
    startToCloseTimeout: '20 minutes',
    heartbeatTimeout: '2 minutes',
    retry: retry('1s', 2, '30s', 5),
  },
  /** Teardown must not give up easily: leaked clusters cost money. */
  teardown: {
    scheduleToStartTimeout,
    startToCloseTimeout: '2 hours',
    heartbeatTimeout: '3 minutes',
    retry: retry('2s', 2, '5 minutes', 20),
  },
} satisfies Record<string, ActivityOptions>;

export type ProfileName = keyof typeof PROFILES;

/** Which profile each step runs under. */
export const STEP_PROFILES: Record<StepName, ProfileName> = {
  'kernel-build': 'toolRun',
  'image-bake': 'toolRun',
  'version-publish': 'quick',
  'cluster-provision': 'toolRun',
  deploy: 'toolRun',
  soak: 'soak',
  'log-harvest': 'toolRun',
  teardown: 'teardown',
};

/** Seconds a step's activity may wait for a worker, with the cycle's overrides applied. */
export function workerWaitSeconds(step: StepName, overrides?: Partial<Record<ProfileName, ProfileOverride>>): number {
  return overrides?.[STEP_PROFILES[step]]?.scheduleToStartSeconds ?? WORKER_WAIT_SECONDS;
}

/** A step's activity options: its profile, with the cycle's overrides applied. */
export function stepOptions(step: StepName, overrides?: Partial<Record<ProfileName, ProfileOverride>>): ActivityOptions {
  return profileOptions(STEP_PROFILES[step], overrides);
}

/** A profile's activity options, with the cycle's overrides applied. */
export function profileOptions(name: ProfileName, overrides?: Partial<Record<ProfileName, ProfileOverride>>): ActivityOptions {
  const base: ActivityOptions = PROFILES[name];
  const o = overrides?.[name];
  if (!o) return base;
  return {
    ...base,
    ...(o.scheduleToStartSeconds ? { scheduleToStartTimeout: o.scheduleToStartSeconds * 1000 } : {}),
    ...(o.startToCloseSeconds ? { startToCloseTimeout: o.startToCloseSeconds * 1000 } : {}),
    ...(o.heartbeatSeconds ? { heartbeatTimeout: o.heartbeatSeconds * 1000 } : {}),
    retry: {
      ...base.retry,
      ...(o.maximumAttempts ? { maximumAttempts: o.maximumAttempts } : {}),
      ...(o.initialIntervalSeconds ? { initialInterval: o.initialIntervalSeconds * 1000 } : {}),
    },
  };
}

/** Whether an activity failure's cause is its schedule-to-start limit: no worker took it. */
export function isWorkerWait(cause: unknown): boolean {
  return cause instanceof TimeoutFailure && cause.timeoutType === 'SCHEDULE_TO_START';
}
