/**
 * The client side of cycles: start, read, steer and rerun them. The CLI, the demo and the
 * tests all go through here.
 */
import { randomBytes } from 'node:crypto';
import { WorkflowNotFoundError, type Client, type WorkflowExecutionDescription } from '@temporalio/client';
import { STEPS, type CycleInput, type MainStep, type StepOutputs, type StepProgress } from '../../domain/contract';
import { abortUpdate, retryStepUpdate, skipStepUpdate, stateQuery, type CloudCycleResult, type CloudCycleState, type RcCycleResult } from '../../domain/cycle-state';
import { UserError, formatIssues } from '../../domain/errors';
import { childKey, parseCycleInput } from '../../domain/input';

/** A new, readable cycle id: `rc-<rc>-<utc time>-<random>`. */
export function newCycleId(rc: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  return `rc-${rc}-${stamp}-${randomBytes(2).toString('hex')}`;
}

/** Validates a cycle input the way the workflow will, throwing a UserError that names the fields. */
export function validateCycleInput(raw: unknown): CycleInput {
  const parsed = parseCycleInput(raw);
  if (!parsed.value) throw new UserError(formatIssues('invalid cycle input', parsed.errors), parsed.errors[0]?.field, 'fix the fields above and start again');
  return parsed.value;
}

export async function startCycle(client: Client, raw: unknown, opts: { workflowId?: string } = {}): Promise<{ workflowId: string; input: CycleInput }> {
  const input = validateCycleInput(raw);
  const workflowId = opts.workflowId ?? newCycleId(input.rc);
  await client.workflow.start('rcCycle', {
    taskQueue: input.taskQueue,
    workflowId,
    args: [input],
    staticSummary: `rc ${input.rc} on ${input.clouds.join(', ')} (${input.flavors.join(', ')})`,
  });
  return { workflowId, input };
}

/** Everything `rcdebug status` shows of one cycle. */
export interface CycleView {
  workflowId: string;
  type: 'rcCycle' | 'cloudCycle';
  /** Temporal's status: RUNNING, COMPLETED, FAILED, CANCELLED, TERMINATED, TIMED_OUT... */
  status: string;
  rc?: string | undefined;
  input?: CycleInput | undefined;
  result?: RcCycleResult | undefined;
  children: Array<{ key: string; workflowId: string; status: string; state?: CloudCycleState | undefined; outputs?: Partial<StepOutputs> | undefined }>;
}

/** The activity type of each step. */
const STEP_ACTIVITY: Record<MainStep, string> = {
  'kernel-build': 'kernelBuild',
  'image-bake': 'imageBake',
  'version-publish': 'versionPublish',
  'cluster-provision': 'clusterProvision',
  deploy: 'deploy',
  soak: 'soakCheck',
  'log-harvest': 'logHarvest',
};

/** The latest heartbeat of a step's pending activity, as text (`compiled 812/2450 objects`). */
function heartbeatProgress(desc: WorkflowExecutionDescription, step: MainStep | 'teardown'): string | undefined {
  // Match by activity type: the description may predate the state and still show the last step.
  const type = step === 'teardown' ? 'teardown' : STEP_ACTIVITY[step];
  const payload = desc.raw.pendingActivities?.find((a) => a.activityType?.name === type)?.heartbeatDetails?.payloads?.[0];
  if (!payload?.data) return undefined;
  try {
    const p = JSON.parse(Buffer.from(payload.data).toString('utf8')) as StepProgress;
    const frac = p.total ? ` (${Math.round((100 * (p.done ?? 0)) / p.total)}%)` : '';
    return `${p.message}${frac}`;
  } catch {
    return undefined;
  }
}

/** The outputs of the steps that produced one (run or reused), by step. */
function stepOutputs(state: CloudCycleState | undefined): Partial<StepOutputs> {
  const out: Partial<StepOutputs> = {};
  for (const s of state?.steps ?? []) {
    // The workflow recorded each output under its own step, so the key names its type.
    if (s.name !== 'teardown' && (s.status === 'succeeded' || s.status === 'reused') && s.output !== undefined) (out as Record<MainStep, unknown>)[s.name] = s.output;
  }
  return out;
}

async function describe(client: Client, workflowId: string): Promise<WorkflowExecutionDescription> {
  try {
    return await client.workflow.getHandle(workflowId).describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError || (err as Error).name === 'WorkflowNotFoundError') {
      throw new UserError(`no cycle with id "${workflowId}"`, 'cycle', 'list cycles in the Temporal UI or with `temporal workflow list --query "WorkflowType=\'rcCycle\'"`');
    }
    throw err;
  }
}

/** A cloud cycle's state: live from the query while it runs, from its memo once it closed. */
async function cloudView(client: Client, desc: WorkflowExecutionDescription) {
  const memo = (desc.memo ?? {}) as { state?: CloudCycleState };
  let state = memo.state;
  if (desc.status.name === 'RUNNING') {
    try {
      state = await client.workflow.getHandle(desc.workflowId).query(stateQuery);
    } catch {
      // No worker answers right now; the memo holds the state as of the last finished step.
    }
    const running = state?.steps.find((s) => s.status === 'running');
    const progress = running ? heartbeatProgress(desc, running.name) : undefined;
    // The soak's own progress (checks done) comes from the workflow; add what the check is doing.
    if (running && progress) running.progress = running.name === 'soak' && running.progress ? `${running.progress}; ${progress}` : progress;
  }
  return { workflowId: desc.workflowId, status: desc.status.name, state, outputs: stepOutputs(state) };
}

export async function getCycleView(client: Client, workflowId: string): Promise<CycleView> {
  const desc = await describe(client, workflowId);
  const type = desc.type === 'cloudCycle' ? 'cloudCycle' : 'rcCycle';
  if (type === 'cloudCycle') {
    const child = await cloudView(client, desc);
    return { workflowId, type, status: desc.status.name, rc: child.state?.rc, children: [{ key: child.state ? childKey(child.state.cloud, child.state.flavor) : workflowId, ...child }] };
  }
  const memo = (desc.memo ?? {}) as { input?: CycleInput; children?: Record<string, string>; result?: RcCycleResult };
  const children = await Promise.all(
    Object.entries(memo.children ?? {}).map(async ([key, id]) => ({ key, ...(await cloudView(client, await describe(client, id))) })),
  );
  return { workflowId, type, status: desc.status.name, rc: memo.input?.rc, input: memo.input, result: memo.result, children };
}

export type OperatorAction = { kind: 'retry'; step?: MainStep; input?: Record<string, unknown> } | { kind: 'skip'; step?: MainStep } | { kind: 'abort'; reason?: string };

/**
 * Sends an operator's answer to a parked cycle. With an rcCycle id, the parked child is
 * found; the step defaults to the parked one.
 */
export async function steerCycle(client: Client, workflowId: string, action: OperatorAction): Promise<{ child: string; step?: MainStep }> {
  const view = await getCycleView(client, workflowId);
  const parked = view.children.filter((c) => c.state?.phase === 'awaiting-operator');
  const targets = action.kind === 'abort' ? view.children.filter((c) => c.status === 'RUNNING') : parked;
  if (targets.length === 0) {
    throw new UserError(
      action.kind === 'abort' ? `${workflowId} has no running cloud cycle to abort` : `${workflowId} has no step waiting for an operator`,
      'cycle',
      `see \`rcdebug status ${workflowId}\`${view.status !== 'RUNNING' ? `; for a closed cycle use \`rcdebug rerun ${workflowId} --from <step>\`` : ''}`,
    );
  }
  if (action.kind !== 'abort' && targets.length > 1) {
    throw new UserError(`several cloud cycles are parked: ${targets.map((t) => t.workflowId).join(', ')}`, 'cycle', 'pass the id of one of them');
  }
  let step: MainStep | undefined;
  for (const target of targets) {
    const handle = client.workflow.getHandle(target.workflowId);
    step = action.kind === 'abort' ? undefined : (action.step ?? target.state?.parked?.step);
    if (action.kind !== 'abort' && !step) {
      throw new UserError(`${target.workflowId} does not say which step is parked`, 'step', `name it: \`rcdebug rerun ${target.workflowId} --${action.kind} --step <step>\``);
    }
    try {
      if (action.kind === 'abort') await handle.executeUpdate(abortUpdate, { args: [{ reason: action.reason }] });
      else if (action.kind === 'retry') await handle.executeUpdate(retryStepUpdate, { args: [{ step: step as MainStep, input: action.input }] });
      else await handle.executeUpdate(skipStepUpdate, { args: [{ step: step as MainStep }] });
    } catch (err) {
      const cause = (err as { cause?: Error }).cause;
      throw new UserError(`${target.workflowId} refused ${action.kind}: ${cause?.message ?? (err as Error).message}`, 'step', `see \`rcdebug status ${target.workflowId}\``);
    }
  }
  return { child: targets.map((t) => t.workflowId).join(', '), step };
}

/** Steps that need a live cluster: they cannot be reused once the cluster was torn down. */
const NEEDS_LIVE_CLUSTER: readonly MainStep[] = ['cluster-provision', 'deploy', 'soak'];

/**
 * Plans a rerun of a closed cycle from `from`: the outputs of the steps before it are reused,
 * except the cluster's when the original cluster is gone (then the rerun starts at
 * cluster-provision at the latest).
 */
export function planRerun(
  children: CycleView['children'],
  from: MainStep,
): { reuse: Record<string, Partial<StepOutputs>>; notes: string[] } {
  const reuse: Record<string, Partial<StepOutputs>> = {};
  const notes: string[] = [];
  const fromIndex = STEPS.indexOf(from);
  for (const child of children) {
    const outputs = child.outputs ?? {};
    const kept = child.state?.teardown === 'kept' || child.state?.teardown === 'failed';
    let start = fromIndex;
    if (!kept && fromIndex > STEPS.indexOf('cluster-provision') && NEEDS_LIVE_CLUSTER.includes(from)) {
      start = STEPS.indexOf('cluster-provision');
      notes.push(`${child.key}: the cluster was torn down, so the rerun provisions a new one before ${from}`);
    }
    const entry: Partial<StepOutputs> = {};
    for (const step of STEPS.slice(0, start)) {
      if (outputs[step] === undefined) {
        notes.push(`${child.key}: "${step}" has no output to reuse, so it runs again`);
        break;
      }
      copyOutput(entry, outputs, step);
    }
    reuse[child.key] = entry;
  }
  return { reuse, notes };
}

function copyOutput<S extends MainStep>(to: Partial<StepOutputs>, from: Partial<StepOutputs>, step: S): void {
  to[step] = from[step];
}

/** `rcdebug rerun <cycle> --from <step>`: a new cycle reusing the finished steps' outputs. */
export async function rerunFrom(client: Client, workflowId: string, from: MainStep): Promise<{ workflowId: string; notes: string[] }> {
  let view = await getCycleView(client, workflowId);
  if (view.type === 'cloudCycle') {
    // A child id: rerun its parent, restricted to this cloud and flavor.
    const parentId = workflowId.replace(/\.[^.]+$/, '');
    const parent = await getCycleView(client, parentId);
    view = { ...parent, children: parent.children.filter((c) => c.workflowId === workflowId) };
  }
  if (view.status === 'RUNNING') {
    throw new UserError(`${workflowId} is still running`, 'cycle', `use \`rcdebug rerun ${workflowId} --retry\` or \`--skip\` on its parked step, or cancel it first`);
  }
  if (!view.input) throw new UserError(`${workflowId} has no recorded input to rerun`, 'cycle', 'start a new cycle with `rcdebug start`');
  const { reuse, notes } = planRerun(view.children, from);
  const keys = new Set(view.children.map((c) => c.key));
  const input: CycleInput = {
    ...view.input,
    clouds: view.input.clouds.filter((c) => view.input?.flavors.some((f) => keys.has(childKey(c, f)))),
    reuse,
  };
  const started = await startCycle(client, input);
  return { workflowId: started.workflowId, notes };
}

/** Waits for an rcCycle's result (or its failure's result details). */
export async function cycleResult(client: Client, workflowId: string): Promise<RcCycleResult | CloudCycleResult> {
  const handle = client.workflow.getHandle(workflowId);
  try {
    return await handle.result();
  } catch (err) {
    const details = (err as { cause?: { details?: unknown[] } }).cause?.details?.[0];
    if (details && typeof details === 'object') return details as RcCycleResult;
    throw err;
  }
}
