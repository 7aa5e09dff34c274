/**
 * Reads the findings of closed cycles for `rcdebug findings history`. A closed cloud cycle
 * keeps its whole state in its memo (written after every step and at its end), and the state
 * holds log-harvest's output: the findings of the cycle, one summary per signature. The
 * visibility listing returns the memo with each execution, so the history needs one paginated
 * listing and no call per cycle; each page is reduced to what the history keeps before the
 * next is fetched, so memory does not grow with the size of the cycles' state.
 */
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import type { LogHarvestOutput } from '../../domain/contract';
import type { CloudCycleState } from '../../domain/cycle-state';
import { InfraError } from '../../domain/errors';
import { childKey } from '../../domain/input';
import { HistoryBuilder, type FindingsHistory, type HistoryFilter } from '../../domain/findings/history';

/** The visibility query of the closed cloud cycles the filter lets through (the builder checks again). */
export function historyQuery(filter: HistoryFilter): string {
  const parts = [`WorkflowType = 'cloudCycle'`, `ExecutionStatus != 'Running'`];
  // The rc is a version string (RC_PATTERN: no quotes) and the time an ISO string: both are safe inside quotes.
  if (filter.rc) parts.push(`RcdebugRc = '${filter.rc}'`);
  if (filter.since) parts.push(`StartTime >= '${filter.since.toISOString()}'`);
  return parts.join(' AND ');
}

/** The run of a cloud cycle: its rcCycle (the id `rcdebug status` takes); a child's id is `<parent>.<cloud>-<flavor>`. */
function runOf(state: CloudCycleState): string {
  const suffix = `.${childKey(state.cloud, state.flavor)}`;
  return state.cycleId.endsWith(suffix) ? state.cycleId.slice(0, -suffix.length) : state.cycleId;
}

/** Adds one listed cloud cycle to the history. */
export function addExecution(b: HistoryBuilder, e: Pick<WorkflowExecutionInfo, 'workflowId' | 'startTime' | 'memo' | 'parentExecution'>): void {
  const state = (e.memo as { state?: CloudCycleState } | undefined)?.state;
  if (!state) return;
  const startedAt = e.startTime.toISOString();
  const harvest = state.steps.find((s) => s.name === 'log-harvest' && s.status === 'succeeded')?.output as LogHarvestOutput | undefined;
  // A reused harvest (a rerun) repeats another cycle's findings: it is no sighting of its own.
  if (!harvest) {
    b.addWithoutHarvest(state.rc, startedAt);
    return;
  }
  b.add({
    cycleId: e.parentExecution?.workflowId ?? runOf(state),
    rc: state.rc,
    cloud: state.cloud,
    flavor: state.flavor,
    startedAt,
    // A `fixed` finding is a baseline entry no log showed: it was not seen in this cycle.
    findings: harvest.findings.filter((f) => f.status !== 'fixed').map((f) => ({ signature: f.signature, title: f.title, type: f.type, source: f.source })),
  });
}

/** The findings history of the closed cycles on the server, read page by page. */
export async function readFindingsHistory(client: Client, filter: HistoryFilter, opts: { pageSize?: number } = {}): Promise<FindingsHistory> {
  const b = new HistoryBuilder(filter);
  const query = historyQuery(filter);
  try {
    for await (const e of client.workflow.list({ query, pageSize: opts.pageSize ?? 200 })) addExecution(b, e);
  } catch (err) {
    throw new InfraError(`listing the closed cycles (${query}) failed: ${(err as Error).message}`, err);
  }
  return b.build();
}
