/**
 * The bookkeeping of a step: its state while it runs, its attempts and error when it fails,
 * and the parking loop that waits for an operator after it failed for good. Teardown runs
 * through the same `track`.
 */
import { CancellationScope, condition, isCancellation, patched, upsertSearchAttributes } from '@temporalio/workflow';
import type { MainStep, StepName, StepResult } from '../../src/domain/contract';
import { RcdebugStep, RcdebugVerdict } from '../../src/domain/search-attributes';
import { CycleAborted, publish, stepState, type Cycle, type OperatorAction } from './cycle';
import { attemptsOf, describeFailure, type FailureDescription } from './describe';
import { applyRetryInput } from './operator';
import { callStep } from './step-calls';

/** Patch id: the memo is written when parked and at the end, no longer after every step. */
const MEMO_ON_PARK_AND_END = 'memo-on-park-and-end';

/** Runs `run` as step `name`: marks it running, then succeeded with its output or failed with its error. */
export async function track<T>(c: Cycle, name: StepName, run: () => Promise<StepResult<T>>): Promise<T> {
  const s = stepState(c, name);
  s.status = 'running';
  s.runs += 1;
  s.error = undefined;
  s.startedAt = new Date().toISOString();
  c.state.currentStep = name;
  upsertSearchAttributes([{ key: RcdebugStep, value: name }]);
  publish(c);
  const t0 = Date.now();
  try {
    const result = await run();
    s.attempts += result.attempt;
    s.status = 'succeeded';
    s.output = result.output;
    return result.output;
  } catch (err) {
    s.attempts += attemptsOf(err);
    s.status = 'failed';
    s.error = describeFailure(err, c, name);
    throw err;
  } finally {
    s.endedAt = new Date().toISOString();
    s.durationMs = Date.now() - t0;
  }
}

/** Runs one main step in its own cancellation scope (an abort cancels it) and keeps its output. */
async function runStep<S extends MainStep>(c: Cycle, step: S): Promise<void> {
  try {
    const scope = (c.stepScope = new CancellationScope());
    c.outputs[step] = await track(c, step, () => scope.run(() => callStep(c, step)));
  } finally {
    c.stepScope = undefined;
    // A memo write is a visibility write on the server: only when parked and at the end,
    // when no running worker may be there to answer the state query. Cycles started before
    // this change wrote it after every step, and must replay as they ran.
    publish(c, !patched(MEMO_ON_PARK_AND_END));
  }
}

/** Waits for an operator's answer to the failed step, or aborts after `operatorTimeout`. */
async function park(c: Cycle, step: MainStep, error: FailureDescription): Promise<OperatorAction> {
  const { state, input } = c;
  stepState(c, step).status = 'awaiting-operator';
  const timeoutMs = input.operatorTimeoutSeconds * 1000;
  state.phase = 'awaiting-operator';
  state.parked = { step, error, since: new Date().toISOString(), deadline: new Date(Date.now() + timeoutMs).toISOString() };
  upsertSearchAttributes([{ key: RcdebugVerdict, value: 'awaiting-operator' }]);
  publish(c, true);
  const answered = await condition(() => c.pending !== undefined, timeoutMs);
  const action: OperatorAction = answered && c.pending ? c.pending : { kind: 'abort', reason: `no operator answered within ${input.operatorTimeoutSeconds} s` };
  c.pending = undefined;
  state.phase = 'running';
  state.parked = undefined;
  upsertSearchAttributes([{ key: RcdebugVerdict, value: 'running' }]);
  return action;
}

/** Runs a step; when it fails for good, parks until an operator retries, skips or aborts it. */
export async function runWithOperator(c: Cycle, step: MainStep): Promise<void> {
  for (;;) {
    try {
      await runStep(c, step);
      return;
    } catch (err) {
      if (c.abortRequested) throw new CycleAborted(c.abortRequested);
      if (isCancellation(err)) throw err;
      const action = await park(c, step, describeFailure(err, c, step));
      if (action.kind === 'retry') {
        if (action.input) applyRetryInput(c.ctx, action.input);
        continue;
      }
      if (action.kind === 'skip') {
        stepState(c, step).status = 'skipped';
        publish(c);
        return;
      }
      throw new CycleAborted(action.reason);
    }
  }
}
