/**
 * `cloudCycle`: the debug cycle of one release candidate on one cloud and one kernel flavor.
 *
 * Runs the steps in order as activities on `<base>-<cloud>`; a step that fails for good parks
 * the cycle until an operator retries, skips or aborts it (or `operatorTimeout` aborts it).
 * Teardown is registered the moment provisioning starts and runs non-cancellably on success,
 * failure, abort and cancel, unless the teardown policy keeps the cluster.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  defineQuery,
  defineUpdate,
  isCancellation,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { StepActivities, StepFailureDetails } from '../activities';
import {
  ALL_STEPS,
  STEPS,
  type ClusterProvisionOutput,
  type CloudCycleInput,
  type ImageBakeOutput,
  type KernelBuildOutput,
  type LogHarvestOutput,
  type MainStep,
  type SoakOutput,
  type StepContext,
  type StepName,
  type StepResult,
  type Verdict,
} from '../src/domain/contract';
import {
  SKIPPABLE_STEPS,
  type AbortRequest,
  type CloudCycleResult,
  type CloudCycleState,
  type CyclePhase,
  type RetryStepRequest,
  type SkipStepRequest,
  type StepState,
} from '../src/domain/cycle-state';
import { USER_ERROR, formatIssues } from '../src/domain/errors';
import { schemas, toFieldIssues } from '../src/domain/input';
import { RcdebugStep, RcdebugVerdict } from '../src/domain/search-attributes';
import { stepOptions } from './profiles';
import { renderStepsMarkdown } from '../src/domain/render';

/** Patch id: the memo is written when parked and at the end, no longer after every step. */
const MEMO_ON_PARK_AND_END = 'memo-on-park-and-end';

export const stateQuery = defineQuery<CloudCycleState>('state');
export const retryStepUpdate = defineUpdate<{ accepted: true }, [RetryStepRequest]>('retryStep');
export const skipStepUpdate = defineUpdate<{ accepted: true }, [SkipStepRequest]>('skipStep');
export const abortUpdate = defineUpdate<{ accepted: true }, [AbortRequest]>('abort');

type OperatorAction = { kind: 'retry'; input?: Record<string, unknown> | undefined } | { kind: 'skip' } | { kind: 'abort'; reason: string };

/** Thrown inside the workflow when the cycle is aborted (by an operator or the timeout). */
class CycleAborted extends Error {}

export async function cloudCycle(input: CloudCycleInput): Promise<CloudCycleResult> {
  const cycleId = workflowInfo().workflowId;
  const queue = `${input.taskQueue}-${input.cloud}`;
  const activitiesFor = (step: StepName) =>
    proxyActivities<StepActivities>({ ...stepOptions(step, input.profiles), taskQueue: queue, summary: step });

  const ctx: StepContext = {
    cycleId,
    rc: input.rc,
    cloud: input.cloud,
    flavor: input.flavor,
    module: input.module,
    manifest: input.manifest,
    baseline: input.baseline,
    soak: input.soak,
  };
  const steps: StepState[] = ALL_STEPS.map((name) => ({ name, status: 'pending', attempts: 0, runs: 0 }));
  const stepState = (name: StepName) => steps.find((s) => s.name === name) as StepState;
  const outputs: Partial<Record<MainStep, unknown>> = {};
  const state: CloudCycleState = {
    cycleId,
    rc: input.rc,
    cloud: input.cloud,
    flavor: input.flavor,
    phase: 'running',
    verdict: 'running',
    steps,
    teardown: 'pending',
  };
  let pending: OperatorAction | undefined;
  let abortRequested: string | undefined;
  let stepScope: CancellationScope | undefined;

  // The UI shows the details; the memo keeps the state readable after the cycle closed (or
  // while it is parked), when no worker may be there to answer a query (`rcdebug status`,
  // `rcdebug rerun --from`).
  const publish = (memo = false) => {
    setCurrentDetails(renderStepsMarkdown(state));
    if (memo) upsertMemo({ state });
  };

  setHandler(stateQuery, () => state);

  const parkedValidator = (step: MainStep) => {
    if (state.phase !== 'awaiting-operator' || !state.parked) {
      throw new Error(`the cycle is not waiting for an operator (phase: ${state.phase}); nothing to retry or skip`);
    }
    if (state.parked.step !== step) {
      throw new Error(`step "${step}" is not parked; the parked step is "${state.parked.step}"`);
    }
  };
  setHandler(
    retryStepUpdate,
    (req) => {
      pending = { kind: 'retry', input: req.input };
      return { accepted: true } as const;
    },
    {
      validator: (req) => {
        parkedValidator(req.step);
        if (req.input !== undefined) validateRetryInput(req.input);
      },
    },
  );
  setHandler(
    skipStepUpdate,
    (_req) => {
      pending = { kind: 'skip' };
      return { accepted: true } as const;
    },
    {
      validator: (req) => {
        parkedValidator(req.step);
        if (!SKIPPABLE_STEPS.includes(req.step)) {
          throw new Error(`step "${req.step}" cannot be skipped: later steps need its output; retry it or abort the cycle`);
        }
      },
    },
  );
  setHandler(
    abortUpdate,
    (req) => {
      const reason = req.reason ?? 'aborted by an operator';
      if (state.phase === 'awaiting-operator') pending = { kind: 'abort', reason };
      else {
        abortRequested = reason;
        stepScope?.cancel();
      }
      return { accepted: true } as const;
    },
    {
      validator: (_req: AbortRequest) => {
        if (!['running', 'awaiting-operator'].includes(state.phase)) {
          throw new Error(`the cycle is ${state.phase}; there is nothing to abort`);
        }
      },
    },
  );

  upsertSearchAttributes([{ key: RcdebugVerdict, value: 'running' }]);
  publish();

  const need = <T>(step: MainStep): T => {
    const out = outputs[step];
    if (out === undefined) {
      throw ApplicationFailure.nonRetryable(`the output of "${step}" is missing: it was skipped or not reused; rerun from "${step}"`, USER_ERROR);
    }
    return out as T;
  };

  /** Runs one step's activity (or the soak loop) and returns its output and attempt. */
  const callStep = async (step: MainStep): Promise<StepResult<unknown>> => {
    const acts = activitiesFor(step);
    switch (step) {
      case 'kernel-build':
        return acts.kernelBuild({ ctx });
      case 'image-bake':
        return acts.imageBake({ ctx, kernel: need<KernelBuildOutput>('kernel-build') });
      case 'version-publish':
        return acts.versionPublish({ ctx, kernel: need('kernel-build'), image: need('image-bake') });
      case 'cluster-provision':
        return acts.clusterProvision({ ctx, kernel: need('kernel-build'), image: need<ImageBakeOutput>('image-bake') });
      case 'deploy':
        return acts.deploy({ ctx, cluster: need<ClusterProvisionOutput>('cluster-provision') });
      case 'soak':
        return runSoak(need<ClusterProvisionOutput>('cluster-provision'));
      case 'log-harvest':
        return acts.logHarvest({
          ctx,
          kernel: outputs['kernel-build'] as KernelBuildOutput | undefined,
          image: outputs['image-bake'] as ImageBakeOutput | undefined,
          cluster: outputs['cluster-provision'] as ClusterProvisionOutput | undefined,
          soak: outputs.soak as SoakOutput | undefined,
        });
    }
  };

  /** The soak: a durable loop of timers and health-check activities, not one long activity. */
  const runSoak = async (cluster: ClusterProvisionOutput): Promise<StepResult<SoakOutput>> => {
    const { durationSeconds, checkIntervalSeconds, scanIntervalSeconds } = ctx.soak;
    const acts = activitiesFor('soak');
    const s = stepState('soak');
    const start = Date.now();
    const elapsed = () => (Date.now() - start) / 1000;
    const out: SoakOutput = { checks: 0, scans: 0, elapsedSeconds: 0, endedEarly: false, reason: 'duration', lastHealth: [] };
    let lastScanAt = 0;
    let attempt = 1;
    while (elapsed() < durationSeconds) {
      await sleep(Math.min(checkIntervalSeconds, durationSeconds - elapsed()) * 1000);
      const now = elapsed();
      const scan = scanIntervalSeconds > 0 && (now - lastScanAt >= scanIntervalSeconds || now >= durationSeconds);
      const r = await acts.soakCheck({ ctx, cluster, tick: out.checks + 1, scan, elapsedSeconds: Math.round(now) });
      attempt = Math.max(attempt, r.attempt);
      out.checks += 1;
      if (scan) {
        out.scans += 1;
        lastScanAt = now;
      }
      out.lastHealth = r.output.nodes;
      out.elapsedSeconds = Math.round(now);
      s.progress = `${out.checks} checks, ${out.scans} kmemleak scans, ${out.elapsedSeconds}/${durationSeconds} s`;
      publish();
      if (r.output.panicked) {
        // A panic is a finding for the harvest, never an infrastructure error to retry.
        out.endedEarly = true;
        out.reason = 'panic';
        break;
      }
    }
    return { output: out, attempt };
  };

  /** Marks a step running (state, search attribute, UI details); returns its start time. */
  const beginStep = (s: StepState): number => {
    s.status = 'running';
    s.runs += 1;
    s.error = undefined;
    s.startedAt = new Date().toISOString();
    state.currentStep = s.name;
    upsertSearchAttributes([{ key: RcdebugStep, value: s.name }]);
    publish();
    return Date.now();
  };
  const endStep = (s: StepState, t0: number) => {
    s.endedAt = new Date().toISOString();
    s.durationMs = Date.now() - t0;
  };

  const runStep = async (step: MainStep): Promise<void> => {
    const s = stepState(step);
    const t0 = beginStep(s);
    try {
      stepScope = new CancellationScope();
      const result = await stepScope.run(() => callStep(step));
      s.attempts += result.attempt;
      s.status = 'succeeded';
      s.output = result.output;
      outputs[step] = result.output;
    } catch (err) {
      s.attempts += attemptsOf(err);
      s.status = 'failed';
      s.error = describe(err);
      throw err;
    } finally {
      stepScope = undefined;
      endStep(s, t0);
      // A memo write is a visibility write on the server: only when parked and at the end,
      // when no running worker may be there to answer the state query. Cycles started before
      // this change wrote it after every step, and must replay as they ran.
      publish(!patched(MEMO_ON_PARK_AND_END));
    }
  };

  const park = async (step: MainStep, error: { type: string; message: string }): Promise<OperatorAction> => {
    const s = stepState(step);
    s.status = 'awaiting-operator';
    const timeoutMs = input.operatorTimeoutSeconds * 1000;
    state.phase = 'awaiting-operator';
    state.parked = {
      step,
      error,
      since: new Date().toISOString(),
      deadline: new Date(Date.now() + timeoutMs).toISOString(),
    };
    upsertSearchAttributes([{ key: RcdebugVerdict, value: 'awaiting-operator' }]);
    publish(true);
    const answered = await condition(() => pending !== undefined, timeoutMs);
    const action: OperatorAction = answered && pending ? pending : { kind: 'abort', reason: `no operator answered within ${input.operatorTimeoutSeconds} s` };
    pending = undefined;
    state.phase = 'running';
    state.parked = undefined;
    upsertSearchAttributes([{ key: RcdebugVerdict, value: 'running' }]);
    return action;
  };

  /** Runs a step; when it fails for good, parks until an operator says what to do. */
  const runWithOperator = async (step: MainStep): Promise<void> => {
    for (;;) {
      try {
        await runStep(step);
        return;
      } catch (err) {
        if (abortRequested) throw new CycleAborted(abortRequested);
        if (isCancellation(err)) throw err;
        const action = await park(step, describe(err));
        if (action.kind === 'retry') {
          if (action.input) applyRetryInput(ctx, action.input);
          continue;
        }
        if (action.kind === 'skip') {
          stepState(step).status = 'skipped';
          publish();
          return;
        }
        throw new CycleAborted(action.reason);
      }
    }
  };

  // The cycle owns the cluster once provisioning starts (or when it reuses a kept cluster).
  let ownsCluster = false;
  let phase: CyclePhase = 'running';
  let verdict: Verdict = 'running';
  let failure: unknown;
  try {
    for (const step of STEPS) {
      if (abortRequested) throw new CycleAborted(abortRequested);
      const reused = input.reuse?.[step];
      if (reused !== undefined) {
        const s = stepState(step);
        s.status = 'reused';
        s.output = reused;
        outputs[step] = reused;
        if (step === 'cluster-provision') ownsCluster = true;
        continue;
      }
      if (step === 'cluster-provision') ownsCluster = true;
      await runWithOperator(step);
    }
    phase = 'completed';
    verdict = (outputs['log-harvest'] as LogHarvestOutput | undefined)?.verdict ?? 'clean';
  } catch (err) {
    failure = err;
    if (err instanceof CycleAborted) {
      phase = 'aborted';
      verdict = 'aborted';
    } else if (isCancellation(err)) {
      phase = 'cancelled';
      verdict = 'cancelled';
    } else {
      phase = 'failed';
      verdict = 'failed';
    }
  }

  const policy = input.teardown;
  const keep = policy === 'keep' || (policy === 'keep-on-failure' && (phase === 'failed' || phase === 'aborted'));
  if (!ownsCluster) state.teardown = 'not-needed';
  else if (keep) state.teardown = 'kept';
  else {
    state.phase = 'tearing-down';
    // Teardown must run to the end even when the cycle itself is being cancelled.
    await CancellationScope.nonCancellable(async () => {
      const s = stepState('teardown');
      const t0 = beginStep(s);
      try {
        const r = await activitiesFor('teardown').teardown({ ctx, cluster: outputs['cluster-provision'] as ClusterProvisionOutput | undefined });
        s.attempts += r.attempt;
        s.status = 'succeeded';
        s.output = r.output;
        state.teardown = 'done';
      } catch (err) {
        s.attempts += attemptsOf(err);
        s.status = 'failed';
        s.error = describe(err);
        state.teardown = 'failed';
      } finally {
        endStep(s, t0);
      }
    });
  }

  state.phase = phase;
  state.verdict = verdict;
  state.currentStep = undefined;
  upsertSearchAttributes([{ key: RcdebugVerdict, value: verdict }]);
  publish(true);

  const result: CloudCycleResult = {
    cycleId,
    cloud: input.cloud,
    flavor: input.flavor,
    verdict,
    phase,
    harvest: outputs['log-harvest'] as LogHarvestOutput | undefined,
    outputs,
    clusterKept: state.teardown === 'kept' || state.teardown === 'failed',
    error: failure === undefined ? undefined : describe(failure).message,
    steps,
  };
  if (phase === 'cancelled') throw failure;
  if (phase === 'aborted' || phase === 'failed') {
    throw ApplicationFailure.create({
      message: `${cycleId} ${phase}: ${result.error}${state.teardown === 'failed' ? '; teardown FAILED: run `rcdebug janitor`' : ''}`,
      type: phase === 'aborted' ? 'CycleAborted' : 'CycleFailed',
      nonRetryable: true,
      details: [result],
    });
  }
  return result;
}

/** The error type and message of a step failure, as the state query shows them. */
function describe(err: unknown): { type: string; message: string } {
  let e = err as Error & { cause?: unknown; type?: string };
  if (e instanceof ActivityFailure && e.cause) e = e.cause as typeof e;
  if (e instanceof ApplicationFailure) return { type: e.type ?? 'Error', message: e.message };
  return { type: e?.name ?? 'Error', message: e?.message ?? String(err) };
}

/** Attempts a failed activity made, from the details its wrapper attached. */
function attemptsOf(err: unknown): number {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) {
    const details = err.cause.details?.[0] as StepFailureDetails | undefined;
    if (details && typeof details.attempt === 'number') return details.attempt;
  }
  return 1;
}

const RETRYABLE_INPUT_FIELDS = ['soak', 'module', 'manifest', 'baseline'];

/** Refuses a retryStep input patch that names unknown fields or has invalid values. */
function validateRetryInput(patch: Record<string, unknown>): void {
  const issues = [];
  for (const [key, value] of Object.entries(patch)) {
    if (!RETRYABLE_INPUT_FIELDS.includes(key)) {
      issues.push({ field: `input.${key}`, message: `cannot be changed on retry; changeable: ${RETRYABLE_INPUT_FIELDS.join(', ')}` });
      continue;
    }
    const schema = key === 'soak' ? schemas().soak : key === 'module' ? schemas().module : undefined;
    if (schema) {
      const r = schema.partial().safeParse(value);
      if (!r.success) issues.push(...toFieldIssues(r.error, `input.${key}`));
    } else if (typeof value !== 'string' || !value) {
      issues.push({ field: `input.${key}`, message: 'must be a non-empty path' });
    }
  }
  if (issues.length) throw new Error(formatIssues('invalid retryStep input', issues));
}

function applyRetryInput(ctx: StepContext, patch: Record<string, unknown>): void {
  // A patch changes only the fields it names; the rest keep their current values.
  if (patch.soak) ctx.soak = schemas().soak.parse({ ...ctx.soak, ...(patch.soak as object) });
  if (patch.module) ctx.module = schemas().module.parse({ ...ctx.module, ...(patch.module as object) });
  if (typeof patch.manifest === 'string') ctx.manifest = patch.manifest;
  if (typeof patch.baseline === 'string') ctx.baseline = patch.baseline;
}
