import { join } from 'node:path';
import type { LogHarvestInput, LogHarvestOutput, StepIO } from '../../../src/domain/contract';
import { harvestLogs, type ConsoleSources, type FetchedConsole } from '../../steps/log-harvest';
import type { OciClients } from './clients';
import { consoleHistory } from './console-history';
import type { OciDeps } from './deps';
import { ociMaybe } from './errors';
import { safeName, withStep, type OciStep } from './step-context';

/** Every kernel entry of the cycle's custom log (OCI Logging Search), by instance, following opc-next-page. */
export async function kernelLogEntries(c: OciClients, target: string, from: Date, io: StepIO): Promise<Map<string, string[]>> {
  const byInstance = new Map<string, string[]>();
  let page: string | undefined;
  let pages = 0;
  do {
    const res = await ociMaybe(`Logging SearchLogs ${target}`, () => c.logSearch.searchLogs({
      searchLogsDetails: { timeStart: from, timeEnd: new Date(), searchQuery: `search "${target}" | sort by datetime asc`, isReturnFieldInfo: false },
      limit: 1000,
      page,
    }));
    // A cycle that never got nodes has no log: nothing to harvest there.
    if (!res) return byInstance;
    for (const r of res.searchResponse.results ?? []) {
      const d = r.data as { logContent?: { source?: string; data?: { message?: string } } } | undefined;
      const source = d?.logContent?.source ?? 'unknown';
      const lines = byInstance.get(source) ?? [];
      lines.push(d?.logContent?.data?.message ?? '');
      byInstance.set(source, lines);
    }
    page = res.opcNextPage;
    io.progress({ message: `OCI Logging ${target}: ${++pages} page(s)` });
  } while (page);
  return byInstance;
}

/** The console sources of an oci cycle: the custom log's kernel entries and every node's console history. */
export async function ociConsoleSources(input: LogHarvestInput, io: StepIO, s: OciStep, deps: OciDeps): Promise<ConsoleSources> {
  const { ctx } = input;
  const sources: FetchedConsole[] = [];
  const nodes = input.cluster?.nodes ?? [];
  const d = input.cluster?.details ?? {};
  if (d.logId && d.logGroupId) {
    // The soak cannot be longer than a few days; search from a week back.
    const since = new Date(Date.now() - 7 * 24 * 3600_000);
    const entries = await kernelLogEntries(s.clients, `${s.compartmentId}/${d.logGroupId}/${d.logId}`, since, io);
    for (const [instance, lines] of [...entries].sort(([a], [b]) => a.localeCompare(b))) {
      const node = nodes.find((n) => n.details?.instanceId === instance)?.name ?? instance;
      sources.push({ node, key: `logging/${safeName(instance, 200)}.log`, text: `${lines.join('\n')}\n` });
    }
  }
  for (const n of nodes) {
    const id = n.details?.instanceId || n.name;
    io.progress({ message: `console history of ${id}` });
    const text = await consoleHistory(s.clients, id, io, deps.pollMs ?? 5_000);
    if (text) sources.push({ node: n.name, key: `console/${safeName(id, 200)}.log`, text });
  }
  const image = input.image?.imageId;
  return {
    sources,
    nodes: nodes.map((n) => n.name),
    artifacts: s.artifacts,
    base: safeName(ctx.cycleId),
    workDir: join(deps.options.stateDir, 'harvest', safeName(ctx.cycleId)),
    commands: image ? [
      `# launch an instance of the debug image (${input.kernel?.kernelRelease ?? 'kernel'}) and load the module under test`,
      `oci compute instance launch --image-id ${image} --compartment-id ${s.compartmentId} --shape ${deps.options.shape} --availability-domain <ad> --subnet-id <subnet>`,
      `# kernel build inputs and reproducer: ${input.kernel?.artifacts.reproducer ?? 'n/a'}`,
    ] : [],
  };
}

/** log-harvest (oci): the cycle's logs through the neutral log-harvest step (artifacts in Object Storage, mirrored locally). */
export function ociLogHarvest(input: LogHarvestInput, io: StepIO, deps: OciDeps): Promise<LogHarvestOutput> {
  return withStep(input.ctx, deps, async (s) => harvestLogs(input, io, await ociConsoleSources(input, io, s, deps)));
}
