/**
 * The gcp janitor: what rcdebug left behind, found by its labels (`managed-by=rcdebug`,
 * `rcdebug-cycle`): instances (leaked builder VMs), the managed groups of labelled nodes,
 * GKE clusters of closed or expired cycles, and images of a family beyond the retention
 * (with their registry records). Every deletion is a Compute or GKE long-running operation,
 * polled to its end. Returns one row per resource: removed, would-remove or failed.
 */
import type { JanitorActionRow } from '../../plugin';
import type { GcpClients } from './config';
import { classifyGcpError, gcp } from './errors';
import { gcsRegistry } from './gcs-registry';

export interface GcpSweepOptions {
  zone: string;
  ttlMs: number;
  /** Images kept per family, newest first (besides expired-cycle rules). */
  retention: number;
  dryRun?: boolean | undefined;
  /** Whether the cycle whose label is given is closed; undefined when nobody can say (the TTL decides). */
  isClosed(cycleLabel: string): Promise<boolean | undefined>;
  now?: number | undefined;
  pollMs?: number | undefined;
}

/** Polls a zonal or global Compute operation until DONE; its error is the deletion's. */
export async function waitOperation(c: GcpClients, op: { name?: string | null; zone?: string | null }, pollMs = 2_000): Promise<void> {
  const name = op.name ?? '';
  const zone = op.zone?.split('/').pop();
  for (let i = 0; i < 900; i++) {
    const [o] = zone
      ? await gcp(`compute zoneOperations.wait ${name}`, () => c.zoneOps.wait({ project: c.project, zone, operation: name }))
      : await gcp(`compute globalOperations.wait ${name}`, () => c.globalOps.wait({ project: c.project, operation: name }));
    if (o.status === 'DONE') {
      if (o.error?.errors?.length) throw new Error(o.error.errors.map((e) => e.message).join('; '));
      return;
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
  throw new Error(`operation ${name} did not finish`);
}

async function why(o: GcpSweepOptions, labels: Record<string, string>, created: string | null | undefined): Promise<string | undefined> {
  const age = (o.now ?? Date.now()) - Date.parse(created ?? '');
  if (Number.isFinite(age) && age > o.ttlMs) return `older than ${Math.round(o.ttlMs / 3_600_000)}h`;
  const cycle = labels['rcdebug-cycle'];
  if (cycle && (await o.isClosed(cycle)) === true) return 'its cycle is closed';
  return undefined;
}

/** Sweeps one project and zone. */
export async function gcpSweep(c: GcpClients, o: GcpSweepOptions): Promise<JanitorActionRow[]> {
  const rows: JanitorActionRow[] = [];
  const act = async (kind: string, id: string, cycle: string | undefined, reason: string, remove: () => Promise<void>) => {
    if (o.dryRun) return void rows.push({ kind, id, cycle, reason, outcome: 'would-remove' });
    try {
      await remove();
      rows.push({ kind, id, cycle, reason, outcome: 'removed' });
    } catch (err) {
      rows.push({ kind, id, cycle, reason, outcome: 'failed', error: classifyGcpError(err, `delete ${kind} ${id}`).message.slice(0, 300) });
    }
  };
  const filter = 'labels.managed-by = "rcdebug"';
  try {
    // A managed group recreates an instance deleted under it: its group is removed instead
    // (groups carry no labels; an instance names its group in the `created-by` metadata).
    const groups = new Map<string, { cycle: string | undefined; reason: string }>();
    for await (const inst of c.instances.listAsync({ project: c.project, zone: o.zone, filter, maxResults: 500 })) {
      const labels = (inst.labels ?? {}) as Record<string, string>;
      const reason = await why(o, labels, inst.creationTimestamp);
      if (!reason || !inst.name) continue;
      const group = inst.metadata?.items?.find((i) => i.key === 'created-by')?.value?.split('/instanceGroupManagers/')[1];
      if (group) {
        groups.set(group, { cycle: labels['rcdebug-cycle'], reason });
        continue;
      }
      await act('instance', inst.name, labels['rcdebug-cycle'], reason, async () => {
        const [op] = await gcp(`compute instances.delete ${inst.name}`, () => c.instances.delete({ project: c.project, zone: o.zone, instance: inst.name! }));
        await waitOperation(c, (op as { latestResponse?: { name?: string; zone?: string } }).latestResponse ?? {}, o.pollMs);
      });
    }
    for (const [group, g] of groups) {
      await act('instance-group', group, g.cycle, g.reason, async () => {
        const [op] = await gcp(`compute instanceGroupManagers.delete ${group}`, () => c.groups.delete({ project: c.project, zone: o.zone, instanceGroupManager: group }));
        await waitOperation(c, (op as { latestResponse?: { name?: string; zone?: string } }).latestResponse ?? {}, o.pollMs);
      });
    }
    const [clusters] = await gcp('container clusters.list', () => c.container.listClusters({ parent: `projects/${c.project}/locations/-` }));
    for (const cl of clusters.clusters ?? []) {
      const labels = (cl.resourceLabels ?? {}) as Record<string, string>;
      if (labels['managed-by'] !== 'rcdebug') continue;
      const reason = await why(o, labels, cl.createTime);
      if (reason && cl.name) {
        await act('gke-cluster', cl.name, labels['rcdebug-cycle'], reason, async () => {
          await gcp(`container clusters.delete ${cl.name}`, () => c.container.deleteCluster({ name: `projects/${c.project}/locations/${cl.location}/clusters/${cl.name}` }));
        });
      }
    }
    const families = new Map<string, { name: string; created: string; labels: Record<string, string> }[]>();
    for await (const img of c.images.listAsync({ project: c.project, filter, maxResults: 500 })) {
      if (!img.name || !img.family) continue;
      const list = families.get(img.family) ?? [];
      list.push({ name: img.name, created: img.creationTimestamp ?? '', labels: (img.labels ?? {}) as Record<string, string> });
      families.set(img.family, list);
    }
    for (const [family, images] of families) {
      const old = images.sort((a, b) => b.created.localeCompare(a.created)).slice(o.retention);
      for (const img of old) {
        await act('image', img.name, img.labels['rcdebug-cycle'], `beyond the newest ${o.retention} of ${family}`, async () => {
          const [op] = await gcp(`compute images.delete ${img.name}`, () => c.images.delete({ project: c.project, image: img.name }));
          await waitOperation(c, (op as { latestResponse?: { name?: string } }).latestResponse ?? {}, o.pollMs);
        });
      }
    }
  } catch (err) {
    throw classifyGcpError(err, 'janitor sweep');
  }
  return rows;
}

/** Registry records whose image the sweep removed, deleted with their pointers. */
export async function dropRecordsOf(c: GcpClients, bucket: string, removedImages: string[]): Promise<JanitorActionRow[]> {
  if (removedImages.length === 0) return [];
  const reg = gcsRegistry(c.storage.bucket(bucket));
  const rows: JanitorActionRow[] = [];
  for (const flavor of ['kasan', 'kcsan'] as const) {
    for (const r of await reg.history('gcp', flavor)) {
      if (!removedImages.includes(r.imageId.split('/').pop() ?? '')) continue;
      for (const name of await reg.deleteRecord(r)) rows.push({ kind: 'registry-object', id: name, reason: `its image ${r.imageId} was removed`, outcome: 'removed' });
    }
  }
  return rows;
}
