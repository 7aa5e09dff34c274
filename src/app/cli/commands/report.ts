import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { connectClient } from '../../../../activities/temporal-connection';
import { getCycleView } from '../../client/cycles';
import type { LogHarvestOutput } from '../../../domain/contract';
import { printJson, table } from '../output';

/** `rcdebug report <cycle>`: the findings of a cycle and where its reports are. */
export function registerReportCommand(program: Command): void {
  program
    .command('report <cycle>')
    .description("a cycle's findings per cloud and flavor, and the paths of its Markdown, JSON and JUnit reports")
    .option('--json', 'as JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      const view = await getCycleView(await connectClient(), id);
      const harvests = view.children.map((c) => ({
        key: c.key,
        workflowId: c.workflowId,
        harvest: c.state?.steps.find((s) => s.name === 'log-harvest' && s.status === 'succeeded')?.output as LogHarvestOutput | undefined,
      }));
      if (o.json) {
        printJson(harvests);
        return;
      }
      for (const { key, workflowId, harvest } of harvests) {
        if (!harvest) {
          process.stdout.write(`${key}: no findings yet (log-harvest has not run); see \`rcdebug status ${workflowId}\`\n`);
          continue;
        }
        process.stdout.write(`${key}: ${harvest.counts.new} new, ${harvest.counts.known} known, ${harvest.counts.fixed} fixed\n`);
        process.stdout.write(`${table(['status', 'title', 'nodes', 'count'], harvest.findings.map((f) => [f.status, f.title, f.nodes.join(', '), String(f.count)]))}\n`);
        for (const [kind, ref] of Object.entries(harvest.reports)) {
          process.stdout.write(`  ${kind.padEnd(8)} ${ref.startsWith('file:') ? fileURLToPath(ref) : ref}\n`);
        }
      }
    });
}
