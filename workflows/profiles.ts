/**
 * Named activity profiles: timeouts, retries and heartbeats per kind of step, so no call site
 * repeats them. A UserError is never retried, whatever the profile.
 */
import type { ActivityOptions } from '@temporalio/workflow';
import type { ProfileOverride, StepName } from '../src/domain/contract';
import { USER_ERROR } from '../src/domain/errors';

const noRetryFor = [USER_ERROR];

export const PROFILES = {
  /** API calls: registry writes, describes. Seconds each, retried often. */
  quick: {
    startToCloseTimeout: '5 minutes',
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 6, nonRetryableErrorTypes: noRetryFor },
  },
  /** Long tool runs (make, packer, terraform, helm, qemu boots): they heartbeat progress. */
  toolRun: {
    startToCloseTimeout: '4 hours',
    heartbeatTimeout: '3 minutes',
    retry: { initialInterval: '1s', backoffCoefficient: 4, maximumInterval: '2 minutes', maximumAttempts: 3, nonRetryableErrorTypes: noRetryFor },
  },
  /** One soak health check (and kmemleak double scan when due). */
  soak: {
    startToCloseTimeout: '20 minutes',
    heartbeatTimeout: '2 minutes',
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 5, nonRetryableErrorTypes: noRetryFor },
  },
  /** Teardown must not give up easily: leaked clusters cost money. */
  teardown: {
    startToCloseTimeout: '2 hours',
    heartbeatTimeout: '3 minutes',
    retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 20, nonRetryableErrorTypes: noRetryFor },
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

/** A step's activity options: its profile, with the cycle's overrides applied. */
export function stepOptions(step: StepName, overrides?: Partial<Record<ProfileName, ProfileOverride>>): ActivityOptions {
  const name = STEP_PROFILES[step];
  const base: ActivityOptions = PROFILES[name];
  const o = overrides?.[name];
  if (!o) return base;
  return {
    ...base,
    ...(o.startToCloseSeconds ? { startToCloseTimeout: o.startToCloseSeconds * 1000 } : {}),
    ...(o.heartbeatSeconds ? { heartbeatTimeout: o.heartbeatSeconds * 1000 } : {}),
    retry: {
      ...base.retry,
      ...(o.maximumAttempts ? { maximumAttempts: o.maximumAttempts } : {}),
      ...(o.initialIntervalSeconds ? { initialInterval: o.initialIntervalSeconds * 1000 } : {}),
    },
  };
}
