/**
 * `cloudCycle`: the debug cycle of one release candidate on one cloud and one kernel flavor.
 *
 * Runs the steps in order as activities on `<base>-<cloud>`; a step that fails for good parks
 * the cycle until an operator retries, skips or aborts it (or `operatorTimeout` aborts it).
 * Teardown is registered the moment provisioning starts and runs non-cancellably on success,
 * failure, abort and cancel, unless the teardown policy keeps the cluster.
 */
import { ApplicationFailure, CancellationScope, isCancellation, upsertSearchAttributes } from '@temporalio/workflow';
import { STEPS, type CloudCycleInput, type MainStep, type Verdict } from '../../src/domain/contract';
import type { CloudCycleResult, CyclePhase } from '../../src/domain/cycle-state';
import { RcdebugVerdict } from '../../src/domain/search-attributes';
import { CycleAborted, activitiesFor, newCycle, publish, stepState, type Cycle } from './cycle';
import { describeFailure } from './describe';
import { setOperatorHandlers } from './operator';
import { runWithOperator, track } from './step-runner';

/** The cycle: each step in order (or reused), then teardown, then the verdict. */
export async function cloudCycle(input: CloudCycleInput): Promise<CloudCycleResult> {
  const c = newCycle(input);
  setOperatorHandlers(c);
  upsertSearchAttributes([{ key: RcdebugVerdict, value: 'running' }]);
  publish(c);

  // The cycle owns the cluster once provisioning starts (or when it reuses a kept cluster).
  let ownsCluster = false;
  let phase: CyclePhase = 'running';
  let verdict: Verdict = 'running';
  let failure: unknown;
  try {
    for (const step of STEPS) {
      if (c.abortRequested) throw new CycleAborted(c.abortRequested);
      if (step === 'cluster-provision') ownsCluster = true;
      if (!reuse(c, step)) await runWithOperator(c, step);
    }
    phase = 'completed';
    verdict = c.outputs['log-harvest']?.verdict ?? 'clean';
  } catch (err) {
    failure = err;
    phase = err instanceof CycleAborted ? 'aborted' : isCancellation(err) ? 'cancelled' : 'failed';
    verdict = phase;
  }

  if (ownsCluster) await tearDown(c, phase);
  else c.state.teardown = 'not-needed';
  return finish(c, phase, verdict, failure);
}

/** Takes the step's output from an earlier cycle (`rcdebug rerun --from`), if it has one. */
function reuse<S extends MainStep>(c: Cycle, step: S): boolean {
  const reused = c.input.reuse?.[step];
  if (reused === undefined) return false;
  const s = stepState(c, step);
  s.status = 'reused';
  s.output = reused;
  c.outputs[step] = reused;
  return true;
}

/** Tears the cluster down unless the policy keeps it; a failed teardown is reported, not thrown. */
async function tearDown(c: Cycle, phase: CyclePhase): Promise<void> {
  const policy = c.input.teardown;
  if (policy === 'keep' || (policy === 'keep-on-failure' && (phase === 'failed' || phase === 'aborted'))) {
    c.state.teardown = 'kept';
    return;
  }
  c.state.phase = 'tearing-down';
  // Teardown must run to the end even when the cycle itself is being cancelled.
  await CancellationScope.nonCancellable(async () => {
    try {
      await track(c, 'teardown', () => activitiesFor(c, 'teardown').teardown({ ctx: c.ctx, cluster: c.outputs['cluster-provision'] }));
      c.state.teardown = 'done';
    } catch {
      c.state.teardown = 'failed';
    }
  });
}

/** Publishes the end state and returns the result, or fails the workflow with it as details. */
function finish(c: Cycle, phase: CyclePhase, verdict: Verdict, failure: unknown): CloudCycleResult {
  const { state } = c;
  state.phase = phase;
  state.verdict = verdict;
  state.currentStep = undefined;
  upsertSearchAttributes([{ key: RcdebugVerdict, value: verdict }]);
  publish(c, true);

  const result: CloudCycleResult = {
    cycleId: state.cycleId,
    cloud: c.input.cloud,
    flavor: c.input.flavor,
    verdict,
    phase,
    harvest: c.outputs['log-harvest'],
    outputs: c.outputs,
    clusterKept: state.teardown === 'kept' || state.teardown === 'failed',
    error: failure === undefined ? undefined : describeFailure(failure, c).message,
    steps: state.steps,
  };
  if (phase === 'cancelled') throw failure;
  if (phase === 'aborted' || phase === 'failed') {
    throw ApplicationFailure.create({
      message: `${state.cycleId} ${phase}: ${result.error}${state.teardown === 'failed' ? '; teardown FAILED: run `rcdebug janitor`' : ''}`,
      type: phase === 'aborted' ? 'CycleAborted' : 'CycleFailed',
      nonRetryable: true,
      details: [result],
    });
  }
  return result;
}
