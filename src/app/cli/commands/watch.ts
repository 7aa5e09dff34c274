import type { Client } from '@temporalio/client';
import type { Command } from 'commander';
import { connectClient } from '../../../../activities/temporal-connection';
import { getCycleView, type CycleView } from '../../client/cycles';
import type { Verdict } from '../../../domain/contract';
import { VERDICT_EXIT_CODES, worstVerdict } from '../../../domain/cycle-state';
import { intOption } from '../options';
import { printJson } from '../output';
import { renderCycleView } from './status';

const CLOSED_VERDICT: Record<string, Verdict> = { CANCELLED: 'cancelled', TERMINATED: 'aborted', TIMED_OUT: 'failed', FAILED: 'failed' };

/** The verdict of a closed cycle view. */
export function viewVerdict(view: CycleView): Verdict {
  if (view.result) return view.result.verdict;
  const childVerdicts = view.children.map((c) => c.state?.verdict).filter((v): v is Verdict => v !== undefined && v !== 'running');
  if (childVerdicts.length) return worstVerdict(childVerdicts);
  return CLOSED_VERDICT[view.status] ?? 'failed';
}

const PROGRESS_EVERY_MS = 15_000;

/**
 * One line per change of any step, e.g. `[local-kasan] kernel-build running: compiled
 * 812/2450`; progress of the same step at most every 15 s, so a long build does not flood;
 * each finding of a soak once, when it first appears (`[local-kasan] finding on node-uaf: ...`).
 */
function changes(view: CycleView, seen: Map<string, string>, lastProgress: Map<string, number>): string[] {
  const out: string[] = [];
  for (const child of view.children) {
    for (const s of child.state?.steps ?? []) {
      const text = `${s.status}${s.status === 'running' && s.progress ? `: ${s.progress}` : ''}${s.error && s.status !== 'succeeded' ? `: ${s.error.type}: ${s.error.message.split('\n')[0]}` : ''}`;
      const key = `${child.key}/${s.name}`;
      const previous = seen.get(key);
      const onlyProgress = previous?.startsWith('running') && text.startsWith('running');
      const now = Date.now();
      if (onlyProgress && now - (lastProgress.get(key) ?? 0) < PROGRESS_EVERY_MS) continue;
      if (previous !== text && !(s.status === 'pending' && !seen.has(key))) {
        out.push(`[${child.key}] ${s.name} ${text}`);
        lastProgress.set(key, now);
      }
      seen.set(key, text);
    }
    const parked = child.state?.parked;
    const pkey = `${child.key}/parked`;
    const ptext = parked ? `${parked.step}` : '';
    if (seen.get(pkey) !== ptext && parked) {
      out.push(`[${child.key}] waiting for an operator until ${parked.deadline}: rcdebug rerun ${child.workflowId} --retry | --skip | --abort`);
    }
    seen.set(pkey, ptext);
    for (const f of child.state?.findings ?? []) {
      const fkey = `${child.key}/finding/${f.signature}`;
      if (!seen.has(fkey)) out.push(`[${child.key}] finding on ${f.nodes.join(', ')}: ${f.title}${f.status === 'new' ? '' : ` (${f.status})`}`);
      seen.set(fkey, f.status);
    }
  }
  return out;
}

/** Follows a cycle until it closes; returns the exit code of its verdict. */
export async function watchCycle(client: Client, workflowId: string, opts: { json?: boolean; intervalMs?: number; log?: (line: string) => void } = {}): Promise<number> {
  const log = opts.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const seen = new Map<string, string>();
  const lastProgress = new Map<string, number>();
  for (;;) {
    const view = await getCycleView(client, workflowId);
    if (!opts.json) for (const line of changes(view, seen, lastProgress)) log(`${new Date().toISOString().slice(11, 19)} ${line}`);
    if (view.status !== 'RUNNING') {
      const verdict = viewVerdict(view);
      if (opts.json) printJson({ ...view, verdict });
      else log(`\n${renderCycleView(view)}\n\nverdict: ${verdict}`);
      return VERDICT_EXIT_CODES[verdict];
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 2_000));
  }
}

export function registerWatchCommand(program: Command): void {
  program
    .command('watch <cycle>')
    .description('follow a cycle until it ends; exit code = verdict (0 clean, 1 findings, 3 failed, 4 aborted, 5 cancelled)')
    .option('--json', 'print only the final cycle as JSON')
    .option('--interval <ms>', 'poll interval in milliseconds', '2000')
    .action(async (id: string, o: { json?: boolean; interval: string }) => {
      process.exitCode = await watchCycle(await connectClient(), id, { json: o.json, intervalMs: intOption(o.interval, '--interval', 100) });
    });
}
