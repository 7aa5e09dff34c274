/**
 * `rcCycle`: one release candidate over every requested cloud and flavor. Validates its input
 * (it may come raw from the Temporal UI), fans out one `cloudCycle` child per cloud and flavor
 * in parallel, and folds their verdicts into one.
 */
import {
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowCancellationType,
  type ChildWorkflowHandle,
  ParentClosePolicy,
  isCancellation,
  patched,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { CloudCycleInput, Verdict } from '../src/domain/contract';
import { rcStateQuery, worstVerdict, type CloudCycleResult, type RcCycleResult, type RcCycleState } from '../src/domain/cycle-state';
import { USER_ERROR, formatIssues } from '../src/domain/errors';
import { childKey, parseCycleInput, type RawCycleInput } from '../src/domain/input';
import { RcdebugCloud, RcdebugFlavor, RcdebugRc, RcdebugVerdict } from '../src/domain/search-attributes';
import { cloudCycle } from './cloud-cycle';
import { preflightOrFail } from './preflight';

/** Patch id: the files the cycle will read are checked before any child starts. */
const PREFLIGHT = 'preflight-before-children';

export async function rcCycle(raw: RawCycleInput): Promise<RcCycleResult> {
  const parsed = parseCycleInput(raw);
  if (!parsed.value) {
    throw ApplicationFailure.nonRetryable(formatIssues('invalid cycle input', parsed.errors), USER_ERROR, parsed.errors);
  }
  const input = parsed.value;
  const parentId = workflowInfo().workflowId;
  const state: RcCycleState = { rc: input.rc, verdict: 'running', children: [] };
  setHandler(rcStateQuery, () => state);
  upsertSearchAttributes([
    { key: RcdebugRc, value: input.rc },
    { key: RcdebugVerdict, value: 'running' },
  ]);

  // Cycles started before this check existed replay without it.
  if (patched(PREFLIGHT)) await preflightOrFail(input);

  const { clouds, flavors, reuse, ...common } = input;
  const handles: Array<{ key: string; workflowId: string; handle: ChildWorkflowHandle<typeof cloudCycle> }> = [];
  for (const cloud of clouds) {
    for (const flavor of flavors) {
      const key = childKey(cloud, flavor);
      const workflowId = `${parentId}.${key}`;
      const childInput: CloudCycleInput = { ...common, cloud, flavor, cycleId: parentId, reuse: reuse?.[key] };
      const handle = await startChild(cloudCycle, {
        workflowId,
        args: [childInput],
        taskQueue: input.taskQueue,
        // The parent waits for a cancelled child's teardown, and never terminates a child
        // (termination would skip teardown and leak the cluster).
        cancellationType: ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED,
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
        typedSearchAttributes: [
          { key: RcdebugRc, value: input.rc },
          { key: RcdebugCloud, value: cloud },
          { key: RcdebugFlavor, value: flavor },
        ],
        staticSummary: `${input.rc} on ${cloud}/${flavor}`,
      });
      state.children.push({ key, workflowId, verdict: 'running' });
      handles.push({ key, workflowId, handle });
    }
  }
  // The validated input makes `rcdebug rerun --from` possible after this cycle closed.
  upsertMemo({ input, children: Object.fromEntries(handles.map((h) => [h.key, h.workflowId])) });
  setCurrentDetails(details(state));

  const settled = await Promise.allSettled(
    handles.map(async (h) => {
      try {
        return await h.handle.result();
      } finally {
        // Keep the parent's view current as each child ends.
        setCurrentDetails(details(state));
      }
    }),
  );
  const result: RcCycleResult = { rc: input.rc, verdict: 'clean', children: [], newFindings: [] };
  let cancelled = false;
  settled.forEach((s, i) => {
    const h = handles[i] as (typeof handles)[number];
    const child = state.children[i] as RcCycleState['children'][number];
    if (s.status === 'fulfilled') {
      const r: CloudCycleResult = s.value;
      child.verdict = r.verdict;
      result.children.push({ key: h.key, workflowId: h.workflowId, verdict: r.verdict, reports: r.harvest?.reports });
      for (const f of r.harvest?.findings ?? []) {
        if (f.status === 'new') result.newFindings.push({ key: h.key, title: f.title, nodes: f.nodes });
      }
    } else {
      const err = s.reason as Error & { cause?: Error & { type?: string } };
      const verdict: Verdict = isCancellation(err) ? 'cancelled' : err.cause?.type === 'CycleAborted' ? 'aborted' : 'failed';
      if (verdict === 'cancelled') cancelled = true;
      child.verdict = verdict;
      result.children.push({ key: h.key, workflowId: h.workflowId, verdict, error: err.cause?.message ?? err.message });
    }
  });
  result.verdict = worstVerdict(result.children.map((c) => c.verdict));
  state.verdict = result.verdict;
  upsertSearchAttributes([{ key: RcdebugVerdict, value: result.verdict }]);
  upsertMemo({ result });
  setCurrentDetails(details(state));
  if (cancelled && CancellationScope.current().consideredCancelled) {
    throw ApplicationFailure.create({ message: 'the cycle was cancelled', type: 'CycleCancelled', nonRetryable: true, details: [result] });
  }
  return result;
}

function details(state: RcCycleState): string {
  return [`**${state.rc}**: ${state.verdict}`, '', '| cloud/flavor | verdict | workflow |', '| --- | --- | --- |', ...state.children.map((c) => `| ${c.key} | ${c.verdict} | ${c.workflowId} |`)].join('\n');
}
