/**
 * The oci janitor: what closed or expired cycles left behind, found by the freeform tags
 * rcdebug puts on everything (`rcdebug-managed`, `rcdebug-cycle`): OKE clusters and node pools
 * (terraform destroy of the cycle's workspace first, then whatever is still tagged), and debug
 * images beyond the retention of their flavor that no registry pointer uses, with their
 * registry records. Lists every action; a dry run removes nothing.
 */
import type { StepIO } from '../../../src/domain/contract';
import { FLAVORS } from '../../../src/domain/contract';
import { checkSweepTtl, janitorSweepActivity, quietIO, sweepTemporal } from '../../janitor-activity';
import { temporalClosed } from '../../janitor-commands';
import type { JanitorActionRow, JanitorActivities } from '../../plugin';
import type { OciClients } from './clients';
import { defaultConnect, type OciDeps } from './deps';
import { oci } from './errors';
import { TAG, listImages } from './images';
import { waitWorkRequest } from './node-pools';
import { objectRegistry } from './object-registry';
import { namespaceOf } from './objects';
import { ociProviderOptions, required, type OciProviderOptions } from './options';
import { destroyOciCycle } from './teardown';

export interface OciSweepInput {
  /** Resources older than this are removed whatever their cycle's state. */
  ttlSeconds: number;
  dryRun?: boolean | undefined;
  /** Ask Temporal which cycles are closed (default true). */
  temporal?: boolean | undefined;
  /** terraform destroy of each cycle's workspace first (default true). */
  terraform?: boolean | undefined;
}

interface Sweep {
  ttlMs: number;
  dryRun: boolean;
  isClosed(cycleId: string): Promise<boolean | undefined>;
  destroy?: ((cycleId: string) => Promise<unknown>) | undefined;
  pollMs: number;
  io: StepIO;
}

/** Why a tagged resource goes, or undefined when it stays. */
async function reason(tags: Record<string, string> | undefined, created: Date | string | undefined, w: Sweep): Promise<{ cycle: string; why: string } | undefined> {
  if (tags?.[TAG.managed] !== 'true') return undefined;
  const cycle = tags[TAG.cycle] ?? '';
  const age = Date.now() - new Date(created ?? 0).getTime();
  if (age > w.ttlMs) return { cycle, why: `older than the TTL (${Math.round(age / 3600_000)} h)` };
  if (cycle && (await w.isClosed(cycle)) === true) return { cycle, why: 'its cycle is closed' };
  return undefined;
}

/** Runs `remove` unless dry, as one action row. */
async function act(kind: string, id: string, r: { cycle: string; why: string }, w: Sweep, remove: () => Promise<unknown>): Promise<JanitorActionRow> {
  if (w.dryRun) return { kind, id, cycle: r.cycle, reason: r.why, outcome: 'would-remove' };
  try {
    await remove();
    return { kind, id, cycle: r.cycle, reason: r.why, outcome: 'removed' };
  } catch (err) {
    return { kind, id, cycle: r.cycle, reason: r.why, outcome: 'failed', error: (err as Error).message };
  }
}

/** The sweep over one compartment. */
export async function sweepOci(c: OciClients, compartmentId: string, opts: OciProviderOptions, w: Sweep): Promise<JanitorActionRow[]> {
  const rows: JanitorActionRow[] = [];
  const destroyed = new Set<string>();
  let page: string | undefined;
  const clusters = [];
  do {
    const res = await oci('Container Engine ListClusters', () => c.containerEngine.listClusters({ compartmentId, page, limit: 100 }), 'RCDEBUG_OCI_COMPARTMENT');
    clusters.push(...res.items);
    page = res.opcNextPage;
  } while (page);
  for (const cl of clusters) {
    if (cl.lifecycleState === 'DELETED' || cl.lifecycleState === 'DELETING') continue;
    const r = await reason(cl.freeformTags, cl.metadata?.timeCreated, w);
    if (!r) continue;
    if (w.destroy && r.cycle && !destroyed.has(r.cycle)) {
      destroyed.add(r.cycle);
      rows.push(await act('terraform workspace', r.cycle, r, w, () => w.destroy!(r.cycle)));
    }
    const still = await c.containerEngine.getCluster({ clusterId: cl.id! }).then((x) => x.cluster.lifecycleState !== 'DELETED', () => false);
    if (!still && !w.dryRun) continue;
    rows.push(await act('OKE cluster', cl.id!, r, w, async () => {
      const del = await oci(`Container Engine DeleteCluster ${cl.id}`, () => c.containerEngine.deleteCluster({ clusterId: cl.id! }));
      await waitWorkRequest(c, del.opcWorkRequestId, `delete of ${cl.name}`, w.io, w.pollMs);
    }));
  }
  // Debug images: per flavor the newest `imageRetention`, and any a registry pointer uses, stay.
  const images = (await listImages(c, compartmentId)).filter((i) => i.freeformTags?.[TAG.managed] === 'true' && i.lifecycleState === 'AVAILABLE');
  const registry = objectRegistry({ client: c.objectStorage, namespace: await namespaceOf(c.objectStorage, opts.namespace), bucket: required(opts, 'bucket') });
  for (const flavor of FLAVORS) {
    const records = await registry.history('oci', flavor);
    const latest = await registry.latest('oci', flavor);
    const mine = images.filter((i) => i.freeformTags?.[TAG.flavor] === flavor).sort((a, b) => String(b.timeCreated).localeCompare(String(a.timeCreated)));
    for (const img of mine.slice(opts.imageRetention)) {
      if (img.id === latest?.imageId) continue;
      const r = { cycle: img.freeformTags?.[TAG.cycle] ?? '', why: `beyond the retention of ${opts.imageRetention} ${flavor} images` };
      rows.push(await act('custom image', img.id, r, w, () => oci(`Compute DeleteImage ${img.id}`, () => c.compute.deleteImage({ imageId: img.id }))));
      for (const rec of records.filter((x) => x.imageId === img.id)) {
        rows.push(await act('registry record', `${rec.kernelRelease}/${rec.inputDigest}`, r, w, () => registry.deleteRecord(rec)));
      }
    }
  }
  return rows;
}

/** One sweep as `rcdebug janitor sweep --cloud oci` and the schedule's activity run it. */
export async function runOciSweep(input: OciSweepInput, overrides: Partial<Omit<OciDeps, 'options'>> & { options?: Partial<OciProviderOptions>; io?: StepIO } = {}): Promise<JanitorActionRow[]> {
  checkSweepTtl(input.ttlSeconds);
  const options = ociProviderOptions(overrides.options);
  const deps: OciDeps = { connect: defaultConnect(options), ...overrides, options };
  const io = overrides.io ?? quietIO;
  const compartmentId = required(options, 'compartmentId');
  const temporal = await sweepTemporal(input.temporal, undefined, io);
  const c = deps.connect();
  try {
    return await sweepOci(c, compartmentId, options, {
      ttlMs: input.ttlSeconds * 1000,
      dryRun: Boolean(input.dryRun),
      isClosed: temporalClosed(temporal.client),
      destroy: input.terraform === false ? undefined : (cycleId) => destroyOciCycle({ cycleId, rc: 'janitor', flavor: 'janitor' }, deps, io),
      pollMs: deps.pollMs ?? 10_000,
      io,
    });
  } finally {
    c.close();
    await temporal.close();
  }
}

/** The janitor's activity, registered by the oci worker next to the step activities; `cloudJanitor` calls it. */
export function createOciJanitorActivities(): JanitorActivities {
  return janitorSweepActivity(runOciSweep);
}
