import type { Command } from 'commander';
import { connectClient } from '../../../../activities/temporal-connection';
import { getCycleView, type CycleView } from '../../client/cycles';
import { printJson, stepsTable } from '../output';
import { getValidateView, type ValidateView } from '../../client/validate';
import { summaryLines } from './validate';

/** The human rendering of a cycle: a header per cloud cycle and its steps as a table. */
export function renderCycleView(view: CycleView): string {
  const lines = [`${view.workflowId} (${view.type}) ${view.status}${view.rc ? `, rc ${view.rc}` : ''}${view.result ? `, verdict ${view.result.verdict}` : ''}`];
  for (const child of view.children) {
    const s = child.state;
    lines.push('', `${child.key}  ${child.workflowId}  ${s ? `${s.phase}, verdict ${s.verdict}, teardown ${s.teardown}` : child.status}`);
    if (s?.parked) {
      lines.push(`  parked at ${s.parked.step}: ${s.parked.error.type}: ${s.parked.error.message.split('\n')[0]}`);
      lines.push(`  answer by ${s.parked.deadline}: rcdebug rerun ${child.workflowId} --retry | --skip | --abort`);
    }
    if (s) lines.push(stepsTable(s));
    if (s?.findings?.length) {
      lines.push(`  findings during the soak (log-harvest's are authoritative):`);
      for (const f of s.findings) lines.push(`    ${f.status.padEnd(5)} ${f.title}  on ${f.nodes.join(', ')}, ${f.count}×, first at check ${f.firstSeen.check}`);
    }
  }
  return lines.join('\n');
}

/** The human rendering of a validateMain: each run's step while it runs, then the summary. */
export function renderValidateView(v: ValidateView): string {
  const lines = [`${v.workflowId} (validateMain) ${v.status}`];
  if (v.result) lines.push(...summaryLines(v.result));
  else if (v.state) {
    lines.push(`${v.state.repo} at ${v.state.checkout?.commit ?? v.state.ref}: ${v.state.verdict}`);
    for (const r of v.state.runs) lines.push(`  ${r.key}: ${r.step}${r.verdict ? `, ${r.verdict}` : ''}`);
  }
  return lines.join('\n');
}

export function registerStatusCommand(program: Command): void {
  program
    .command('status <cycle>')
    .description("a cycle's steps: state, attempts, time and output")
    .option('--json', 'print the cycle as JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      const client = await connectClient();
      const validation = await getValidateView(client, id);
      if (validation) {
        if (o.json) printJson(validation);
        else process.stdout.write(`${renderValidateView(validation)}\n`);
        return;
      }
      const view = await getCycleView(client, id);
      if (o.json) printJson(view);
      else process.stdout.write(`${renderCycleView(view)}\n`);
    });
}
