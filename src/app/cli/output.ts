import Table from 'cli-table3';
import type { CloudCycleState } from '../../domain/cycle-state';
import { summarizeOutput } from '../../domain/render';

/** Prints a value as JSON on stdout (read commands' `--json`). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function table(head: string[], rows: string[][]): string {
  const t = new Table({ head, style: { head: [], border: [] }, wordWrap: true });
  t.push(...rows);
  return t.toString();
}

function seconds(ms: number | undefined): string {
  return ms === undefined ? '' : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;
}

/** One cloud cycle's steps as a table. */
export function stepsTable(state: CloudCycleState): string {
  return table(
    ['step', 'state', 'attempts', 'time', 'output'],
    state.steps.map((s) => [
      s.name,
      s.status,
      s.attempts ? String(s.attempts) : '',
      seconds(s.durationMs),
      s.error ? `${s.error.type}: ${s.error.message.split('\n')[0]}` : s.status === 'running' && s.progress ? s.progress : summarizeOutput(s.output),
    ]),
  );
}
