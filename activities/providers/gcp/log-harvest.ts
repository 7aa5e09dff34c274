import { join } from 'node:path';
import type { LogHarvestInput, LogHarvestOutput, StepIO } from '../../../src/domain/contract';
import { harvestLogs, type ConsoleSources, type FetchedConsole } from '../../steps/log-harvest';
import type { GcpDeps } from './deps';
import { classifyGcpError } from './errors';
import { joinChunks, readSerial, storeChunk } from './serial-console';
import { safeName, withStep, type GcpStep } from './step-context';

/** Cloud Logging's entries of the cycle's instances' serial consoles (serial-port logging), by instance, following nextPageToken. */
export async function kernelEntries(s: GcpStep, instances: string[], io: StepIO): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (instances.length === 0) return out;
  const names = instances.map((n) => `"${n}"`).join(' OR ');
  const filter = `resource.type="gce_instance" AND logName:"serialconsole.googleapis.com" AND resource.labels.zone="${s.zone}" AND labels."compute.googleapis.com/resource_name"=(${names})`;
  let pageToken: string | undefined;
  let pages = 0;
  do {
    let res;
    try {
      res = await s.clients.logging.listLogEntries({ resourceNames: [`projects/${s.project}`], filter, pageSize: 1000, orderBy: 'timestamp asc', ...(pageToken ? { pageToken } : {}) }, { autoPaginate: false });
    } catch (err) {
      throw classifyGcpError(err, 'logging entries.list');
    }
    const [entries, , raw] = res;
    for (const e of entries) {
      const node = e.labels?.['compute.googleapis.com/resource_name'] ?? e.resource?.labels?.instance_id ?? 'unknown';
      const lines = out.get(node) ?? [];
      lines.push(e.textPayload ?? JSON.stringify(e.jsonPayload ?? ''));
      out.set(node, lines);
    }
    pageToken = raw?.nextPageToken || undefined;
    io.progress({ message: `Cloud Logging: ${++pages} page(s)` });
  } while (pageToken);
  return out;
}

/**
 * The console sources of a gcp cycle: each node's serial console joined from the pieces the
 * soak kept (plus what it printed since the last check, while the VM still runs), and Cloud
 * Logging's kernel entries of the cycle's instances.
 */
export async function gcpConsoleSources(input: LogHarvestInput, io: StepIO, s: GcpStep, deps: GcpDeps): Promise<ConsoleSources> {
  const { ctx } = input;
  const base = safeName(ctx.cycleId);
  const nodes = input.cluster?.nodes ?? [];
  const sources: FetchedConsole[] = [];
  for (const n of nodes) {
    io.progress({ message: `serial console of ${n.name}` });
    const kept = await joinChunks(s.bucket, base, n.name);
    const tail = await readSerial(s.clients, { project: n.details?.project ?? s.project, zone: n.details?.zone ?? s.zone, instance: n.details?.instance ?? n.name }, kept.end);
    if (tail && tail.bytes.length) await storeChunk(s.bucket, base, n.name, tail);
    const whole = tail && tail.bytes.length ? await joinChunks(s.bucket, base, n.name) : kept;
    if (whole.text.length) sources.push({ node: n.name, key: `serial/${safeName(n.name)}.log`, text: whole.text.toString('utf8') });
  }
  for (const [node, lines] of [...(await kernelEntries(s, nodes.map((n) => n.details?.instance ?? n.name), io))].sort(([a], [b]) => a.localeCompare(b))) {
    sources.push({ node, key: `logging/${safeName(node)}.log`, text: `${lines.join('\n')}\n` });
  }
  const image = input.image?.imageId;
  return {
    sources,
    nodes: nodes.map((n) => n.name),
    artifacts: s.artifacts,
    base,
    workDir: join(deps.options.stateDir, 'harvest', base),
    commands: image
      ? [`# boot one VM on the debug image (${input.kernel?.kernelRelease ?? 'kernel'}) with secure boot off and load the module under test`,
        `gcloud compute instances create rcdebug-repro --project ${s.project} --zone ${s.zone} --image ${image} --machine-type ${deps.options.machineType} --no-shielded-secure-boot --metadata serial-port-logging-enable=true`,
        `# kernel build inputs and reproducer: ${input.kernel?.artifacts.reproducer ?? 'n/a'}`]
      : [],
  };
}

/** log-harvest (gcp): the cycle's logs through the neutral log-harvest step (artifacts in Cloud Storage, mirrored locally). */
export function gcpLogHarvest(input: LogHarvestInput, io: StepIO, deps: GcpDeps): Promise<LogHarvestOutput> {
  return withStep(input.ctx, deps, async (s) => harvestLogs(input, io, await gcpConsoleSources(input, io, s, deps)));
}
