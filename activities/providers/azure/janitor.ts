/**
 * The azure janitor: what rcdebug left behind. A cycle's resources all live in its resource
 * group (tagged `rcdebug-cycle`, `rcdebug-created`), so a sweep removes the groups of cycles
 * Temporal calls closed or older than the TTL (terraform destroy of the workspace first when
 * asked, then the group). Retention keeps the last N published builds per flavor and removes
 * the older ones' gallery versions and App Configuration keys (never the one `latest` points at).
 * Every action is listed; a failure of one is reported and the others still run.
 */
import type { Flavor } from '../../../src/domain/contract';
import type { JanitorActionRow } from '../../plugin';
import { appConfigRegistry } from './appconfig-registry';
import type { AzureClients } from './config';
import { azure, azureMaybe } from './errors';
import { imageDefinition, parseVersionId } from './gallery';
import { TAG } from './names';
import type { AzureProviderOptions } from './options';

export type JanitorAction = JanitorActionRow;

/** The tag terraform/azure writes with the group's creation time (ignored on later applies). */
export const CREATED_TAG = 'rcdebug-created';

export interface SweepOptions {
  ttlMs: number;
  dryRun?: boolean | undefined;
  /** Whether a cycle's workflow is closed; undefined when Temporal cannot say (the TTL decides). */
  isClosed(cycleId: string): Promise<boolean | undefined>;
  /** terraform destroy of a cycle's workspace, before its group is deleted. */
  destroyWorkspace?: ((cycleId: string) => Promise<string[]>) | undefined;
  now?: number | undefined;
}

async function act(a: Omit<JanitorAction, 'outcome'>, dryRun: boolean | undefined, fn: () => Promise<unknown>): Promise<JanitorAction> {
  if (dryRun) return { ...a, outcome: 'would-remove' };
  try {
    await fn();
    return { ...a, outcome: 'removed' };
  } catch (err) {
    return { ...a, outcome: 'failed', error: (err as Error).message.split('\n')[0] };
  }
}

/** Removes the resource groups of closed or expired cycles. */
export async function sweep(clients: AzureClients, o: SweepOptions): Promise<JanitorAction[]> {
  const now = o.now ?? Date.now();
  const groups = await azure(`Resources resourceGroups.list tag ${TAG.managed}`, async () => {
    const out = [];
    for await (const g of clients.resources.resourceGroups.list({ filter: `tagName eq '${TAG.managed}' and tagValue eq 'true'` })) out.push(g);
    return out;
  });
  const actions: JanitorAction[] = [];
  for (const g of groups) {
    const cycle = g.tags?.[TAG.cycle];
    if (!g.name || !cycle) continue;
    const created = Date.parse(g.tags?.[CREATED_TAG] ?? '');
    const expired = Number.isFinite(created) && now - created > o.ttlMs;
    const closed = await o.isClosed(cycle);
    if (!expired && closed !== true) continue;
    const reason = closed ? 'cycle closed' : `older than the TTL (${g.tags?.[CREATED_TAG]})`;
    const name = g.name;
    actions.push(await act({ kind: 'resource group', id: name, cycle, reason }, o.dryRun, async () => {
      await o.destroyWorkspace?.(cycle).catch(() => undefined);
      await azureMaybe(`Resources delete group ${name}`, () => clients.resources.resourceGroups.beginDeleteAndWait(name, { updateIntervalInMs: clients.pollMs }));
    }));
  }
  return actions;
}

/** Keeps the last `keep` records per flavor; older ones lose their gallery version and registry keys. */
export async function retention(clients: AzureClients, opts: AzureProviderOptions, o: { keep: number; flavors: Flavor[]; dryRun?: boolean | undefined }): Promise<JanitorAction[]> {
  if (!clients.appConfig) return [];
  const reg = appConfigRegistry(clients.appConfig);
  const actions: JanitorAction[] = [];
  for (const flavor of o.flavors) {
    const history = await reg.history('azure', flavor);
    const latest = (await reg.latest('azure', flavor))?.inputDigest;
    const old = history.slice(0, Math.max(0, history.length - o.keep)).filter((r) => r.inputDigest !== latest);
    for (const record of old) {
      const reason = `beyond the last ${o.keep} of ${flavor}`;
      if (/\/versions\/[^/]+$/i.test(record.imageId)) {
        const v = parseVersionId(record.imageId);
        actions.push(await act({ kind: 'gallery version', id: `${imageDefinition(flavor)}/${v.version}`, cycle: record.rc, reason }, o.dryRun, () =>
          azureMaybe(`Compute delete gallery version ${v.version}`, () => clients.compute.galleryImageVersions.delete(v.resourceGroup, v.gallery, v.image, v.version, { updateIntervalInMs: clients.pollMs }))));
      }
      actions.push(await act({ kind: 'registry record', id: `${flavor}/${record.kernelRelease}/${record.inputDigest}`, cycle: record.rc, reason }, o.dryRun, () => reg.deleteRecord(record)));
    }
  }
  return actions;
}
