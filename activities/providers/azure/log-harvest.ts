import { join } from 'node:path';
import type { LogHarvestInput, LogHarvestOutput, StepIO } from '../../../src/domain/contract';
import { harvestLogs, type ConsoleSources, type FetchedConsole } from '../../steps/log-harvest';
import type { AzureClients } from './config';
import type { AzureDeps } from './deps';
import { azure } from './errors';
import { vmssNode } from './nodes';
import { safeName, withStep, type AzureStep } from './step-context';
import { serialLog } from './vm-ops';

/**
 * The Kusto query of a cycle's kernel messages: the Syslog table the Azure Monitor Agent fills.
 * The workspace is the cycle's own (terraform/azure makes one per cycle), so no filter by cycle.
 */
export const KERNEL_LOG_QUERY = 'Syslog | where Facility == "kern" | project TimeGenerated, Computer, SyslogMessage | order by Computer asc, TimeGenerated asc';

/** Kernel messages by computer name from Log Analytics. */
export async function kernelMessages(clients: AzureClients, workspaceId: string, io: StepIO): Promise<Map<string, string[]>> {
  io.progress({ message: `Log Analytics ${workspaceId}: kernel messages` });
  const res = await azure(`Log Analytics query ${workspaceId}`, () => clients.logs.queryWorkspace(workspaceId, KERNEL_LOG_QUERY, { duration: 'P7D' }));
  const byHost = new Map<string, string[]>();
  const tables = 'tables' in res ? res.tables : res.partialTables;
  for (const t of tables) {
    const col = (name: string) => t.columnDescriptors.findIndex((c) => c.name === name);
    const [host, msg] = [col('Computer'), col('SyslogMessage')];
    for (const row of t.rows) {
      const h = String(row[host] ?? 'unknown');
      const lines = byHost.get(h) ?? [];
      lines.push(String(row[msg] ?? ''));
      byHost.set(h, lines);
    }
  }
  return byHost;
}

/** The console sources of an azure cycle: each VM's serial log and the kernel messages in Log Analytics. */
export async function azureConsoleSources(input: LogHarvestInput, io: StepIO, s: AzureStep, deps: AzureDeps): Promise<ConsoleSources> {
  const { ctx } = input;
  const nodes = input.cluster?.nodes ?? [];
  const sources: FetchedConsole[] = [];
  const workspace = input.cluster?.details.logAnalyticsWorkspace;
  if (workspace) {
    for (const [host, lines] of [...(await kernelMessages(s.clients, workspace, io))].sort(([a], [b]) => a.localeCompare(b))) {
      const node = nodes.find((n) => n.details?.computerName === host)?.name ?? host;
      sources.push({ node, key: `log-analytics/${safeName(host)}.log`, text: `${lines.join('\n')}\n` });
    }
  }
  for (const n of nodes) {
    io.progress({ message: `serial log of ${n.name}` });
    const log = await serialLog(s.clients, vmssNode(n));
    if (log !== undefined) sources.push({ node: n.name, key: `serial/${safeName(n.name)}.log`, text: log.toString('utf8') });
  }
  const image = input.image?.imageId;
  return {
    sources,
    nodes: nodes.map((n) => n.name),
    artifacts: s.artifacts,
    base: safeName(ctx.cycleId),
    workDir: join(deps.options.stateDir, 'harvest', safeName(ctx.cycleId)),
    commands: image
      ? [`# a VM on the debug image (${input.kernel?.kernelRelease ?? 'kernel'}); Secure Boot off, boot diagnostics on`,
        `az vm create -g <resource-group> -n rcdebug-repro --image ${image} --security-type Standard --boot-diagnostics-storage '' --size ${deps.options.vmSize}`,
        `# kernel build inputs and reproducer: ${input.kernel?.artifacts.reproducer ?? 'n/a'}`]
      : [],
  };
}

/** log-harvest (azure): serial logs and Log Analytics through the neutral log-harvest step (artifacts in Blob Storage, mirrored locally). */
export async function azureLogHarvest(input: LogHarvestInput, io: StepIO, deps: AzureDeps): Promise<LogHarvestOutput> {
  return withStep(input.ctx, deps, async (s) => harvestLogs(input, io, await azureConsoleSources(input, io, s, deps)));
}
