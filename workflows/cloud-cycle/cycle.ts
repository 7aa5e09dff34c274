/**
 * The running cycle's own record, shared by the files of `cloudCycle`: its input and step
 * context, the state the query answers, the steps' outputs, and what operators asked for.
 */
import { patched, proxyActivities, setCurrentDetails, upsertMemo, workflowInfo, type CancellationScope } from '@temporalio/workflow';
import type { StepActivities } from '../../activities';
import { ALL_STEPS, type CloudCycleInput, type StepContext, type StepName, type StepOutputs } from '../../src/domain/contract';
import type { CloudCycleState, StepState } from '../../src/domain/cycle-state';
import { renderStepsMarkdown } from '../../src/domain/render';
import { cloudQueue, isBuildStep, stepQueue } from '../../src/domain/task-queues';
import { stepOptions } from '../profiles';

/** An operator's answer to a parked step (or the timeout's, which aborts). */
export type OperatorAction = { kind: 'retry'; input?: Record<string, unknown> | undefined } | { kind: 'skip' } | { kind: 'abort'; reason: string };

/** Thrown inside the workflow when the cycle is aborted (by an operator or the timeout). */
export class CycleAborted extends Error {}

/** One running cloud cycle, as every part of the workflow sees it. */
export interface Cycle {
  input: CloudCycleInput;
  /** What every step receives; a retry with a new input changes it. */
  ctx: StepContext;
  /** The task queue of this cloud's activities: `<base>-<cloud>`. */
  queue: string;
  state: CloudCycleState;
  outputs: Partial<StepOutputs>;
  /** The operator's answer to the parked step, set by an Update handler. */
  pending?: OperatorAction | undefined;
  /** Set by an abort while a step runs: the reason, once the step was cancelled. */
  abortRequested?: string | undefined;
  /** The scope of the running step, so an abort can cancel it. */
  stepScope?: CancellationScope | undefined;
}

/** A cycle about to start: every step pending, no outputs, the step context from the input. */
export function newCycle(input: CloudCycleInput): Cycle {
  const cycleId = workflowInfo().workflowId;
  const { rc, cloud, flavor, module, manifest, baseline, soak, onKernelError, panicOnWarn } = input;
  const steps: StepState[] = ALL_STEPS.map((name) => ({ name, status: 'pending', attempts: 0, runs: 0 }));
  return {
    input,
    // Cycles started before onKernelError existed have neither field: their ctx stays as it was.
    ctx: { cycleId, rc, cloud, flavor, module, manifest, baseline, soak, ...(onKernelError ? { onKernelError } : {}), ...(panicOnWarn ? { panicOnWarn } : {}) },
    queue: cloudQueue(input.taskQueue, cloud),
    state: { cycleId, rc, cloud, flavor, phase: 'running', verdict: 'running', steps, teardown: 'pending' },
    outputs: {},
  };
}

/** The state of one step (every step has one from the start). */
export function stepState(c: Cycle, name: StepName): StepState {
  return c.state.steps.find((s) => s.name === name) as StepState;
}

/**
 * The queue a step runs on: the build steps on their own (a builder host may serve just them).
 * Cycles recorded before that ran every step on the cloud's queue, and replay so.
 */
export function queueFor(c: Cycle, step: StepName): string {
  return isBuildStep(step) && patched('build-step-queues') ? stepQueue(c.input.taskQueue, c.input.cloud, step) : c.queue;
}

/** The activities of a step, under its profile, on its queue. */
export function activitiesFor(c: Cycle, step: StepName): StepActivities {
  return proxyActivities<StepActivities>({ ...stepOptions(step, c.input.profiles), taskQueue: queueFor(c, step), summary: step });
}

/**
 * Shows the state in the UI's details; with `memo`, also writes it to the memo, which keeps
 * it readable after the cycle closed (or while it is parked), when no worker may be there to
 * answer a query (`rcdebug status`, `rcdebug rerun --from`).
 */
export function publish(c: Cycle, memo = false): void {
  setCurrentDetails(renderStepsMarkdown(c.state));
  if (memo) upsertMemo({ state: c.state });
}
