/**
 * What a running cycle tells the outside: its state (query), the operator's Updates, and the
 * results. Pure module shared by workflows, the client and the CLI: both sides use the typed
 * definitions below, so a renamed query or a changed argument fails to compile, not at run time.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { CloudName, Flavor, LogHarvestOutput, MainStep, SoakFinding, StepName, StepOutputs, Verdict } from './contract';

export type StepStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'reused' | 'awaiting-operator';

export interface StepState {
  name: StepName;
  status: StepStatus;
  /** ISO times of the latest run. */
  startedAt?: string | undefined;
  endedAt?: string | undefined;
  durationMs?: number | undefined;
  /** Activity attempts, over every run of the step (operator retries included). */
  attempts: number;
  /** Times the step was started (1 + operator retries). */
  runs: number;
  /** The step's output (small; large things are artifact references inside it). */
  output?: unknown;
  error?: { type: string; message: string } | undefined;
  /** Latest heartbeat-style progress text (soak: checks done). */
  progress?: string | undefined;
}

export type CyclePhase = 'running' | 'awaiting-operator' | 'tearing-down' | 'completed' | 'failed' | 'aborted' | 'cancelled';

export interface ParkedStep {
  step: MainStep;
  error: { type: string; message: string };
  since: string;
  /** When the cycle aborts by itself if no operator answers. */
  deadline: string;
}

/** The answer of the `state` query of `cloudCycle`. */
export interface CloudCycleState {
  cycleId: string;
  rc: string;
  cloud: CloudName;
  flavor: Flavor;
  phase: CyclePhase;
  currentStep?: StepName | undefined;
  parked?: ParkedStep | undefined;
  verdict: Verdict;
  steps: StepState[];
  teardown: 'pending' | 'not-needed' | 'kept' | 'done' | 'failed';
  /**
   * The findings the soak checks saw so far, one per signature, in the order they appeared;
   * absent until the first. log-harvest's findings, parsed from the whole consoles, are the
   * authoritative ones.
   */
  findings?: SoakFinding[] | undefined;
}

export interface CloudCycleResult {
  cycleId: string;
  cloud: CloudName;
  flavor: Flavor;
  verdict: Verdict;
  phase: CyclePhase;
  harvest?: LogHarvestOutput | undefined;
  /** Outputs of the steps that finished, for `rcdebug rerun --from`. */
  outputs: Partial<StepOutputs>;
  /** Whether the cluster is still up (kept by policy, or teardown failed). */
  clusterKept: boolean;
  error?: string | undefined;
  steps: StepState[];
}

export interface RcCycleResult {
  rc: string;
  verdict: Verdict;
  children: Array<{ key: string; workflowId: string; verdict: Verdict; reports?: LogHarvestOutput['reports'] | undefined; error?: string | undefined }>;
  /** Every new finding, over every cloud and flavor. */
  newFindings: Array<{ key: string; title: string; nodes: string[] }>;
}

/** Update `retryStep`: run the parked step again, optionally with changed inputs. */
export interface RetryStepRequest {
  step: MainStep;
  /** Changes to the cycle input for this and the later steps (soak, module, manifest, baseline). */
  input?: Record<string, unknown> | undefined;
}
export interface SkipStepRequest {
  step: MainStep;
}
export interface AbortRequest {
  reason?: string | undefined;
}

/** What an accepted operator Update answers. */
export interface UpdateAccepted {
  accepted: true;
}

/** Query `state` of `cloudCycle`: its steps, phase and parked step. */
export const stateQuery = defineQuery<CloudCycleState>('state');
/** Update `retryStep` of `cloudCycle`: run the parked step again. */
export const retryStepUpdate = defineUpdate<UpdateAccepted, [RetryStepRequest]>('retryStep');
/** Update `skipStep` of `cloudCycle`: go on without the parked step's output. */
export const skipStepUpdate = defineUpdate<UpdateAccepted, [SkipStepRequest]>('skipStep');
/** Update `abort` of `cloudCycle`: stop the cycle (running or parked) and tear down. */
export const abortUpdate = defineUpdate<UpdateAccepted, [AbortRequest]>('abort');

/** The answer of the `rcState` query of `rcCycle`. */
export interface RcCycleState {
  rc: string;
  verdict: Verdict;
  children: Array<{ key: string; workflowId: string; verdict: Verdict }>;
}

/** Query `rcState` of `rcCycle`: the verdict of each child so far. */
export const rcStateQuery = defineQuery<RcCycleState>('rcState');

/** Steps whose output no later step needs: the only ones an operator may skip. */
export const SKIPPABLE_STEPS: readonly MainStep[] = ['version-publish', 'deploy', 'soak', 'log-harvest'];

/** Verdict → exit code of `rcdebug watch` (documented in the README). */
export const VERDICT_EXIT_CODES: Record<Verdict, number> = {
  clean: 0,
  findings: 1,
  failed: 3,
  aborted: 4,
  cancelled: 5,
  running: 6,
};

/** Folds verdicts into one: the worst wins. */
export function worstVerdict(verdicts: Verdict[]): Verdict {
  const order: Verdict[] = ['clean', 'findings', 'running', 'cancelled', 'aborted', 'failed'];
  return verdicts.reduce<Verdict>((worst, v) => (order.indexOf(v) > order.indexOf(worst) ? v : worst), 'clean');
}
