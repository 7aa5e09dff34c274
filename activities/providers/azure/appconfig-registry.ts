/**
 * The version registry in Azure App Configuration: DESIGN.md's naming scheme, one key per
 * record field under the label `rcdebug` (so a store shared with other settings keeps them
 * apart), `latest` and per-rc pointers holding `<kernel-release>/<input-digest>`. App
 * Configuration keeps every revision of a key, so the revisions of `latest` are the history of
 * what was latest when; each pointer write carries the rc (or `rollback`) in its tags. Keys
 * are tagged with the cycle so the janitor finds a cycle's keys.
 */
import type { AppConfigurationClient } from '@azure/app-configuration';
import type { CloudName, Flavor } from '../../../src/domain/contract';
import { InfraError, UserError } from '../../../src/domain/errors';
import {
  parseRecord,
  recordsOfTree,
  flavorPrefix,
  latestPath,
  pointerValue,
  rcPointerPath,
  recordParameters,
  recordPrefix,
  type VersionRecord,
  type VersionRegistry,
} from '../../../src/domain/registry/scheme';
import { azure, azureMaybe } from './errors';

/** The label every registry key carries. */
export const REGISTRY_LABEL = 'rcdebug';

/** Characters App Configuration reserves in keys (`*`, `,`, `\`) and what a path segment may not hold. */
const BAD_SEGMENT = /[*,\\/\s]/;

export interface AppConfigRegistryOptions {
  /** Extra tags on every key written (e.g. `rcdebug-cycle`). */
  tags?: Record<string, string> | undefined;
}

/** One revision of the `latest` pointer. */
export interface PointerRevision {
  value: string;
  tags: Record<string, string>;
  modifiedAt?: Date | undefined;
}

/** The App Configuration registry: the shared port plus what the janitor needs. */
export interface AppConfigRegistry extends VersionRegistry {
  latestHistory(cloud: CloudName, flavor: Flavor): Promise<PointerRevision[]>;
  /** Deletes a record's keys and the rc pointers that point at it; returns the keys deleted. */
  deleteRecord(record: VersionRecord): Promise<string[]>;
}

function checkSegments(fields: Record<string, string>): void {
  for (const [field, value] of Object.entries(fields)) {
    if (!value || BAD_SEGMENT.test(value)) {
      throw new UserError(`${field} ${JSON.stringify(value)} cannot be part of an App Configuration key of the registry: no '*', ',', '\\', '/' or blanks`, field);
    }
  }
}

/** The registry on the store of `client`. */
export function appConfigRegistry(client: AppConfigurationClient, opts: AppConfigRegistryOptions = {}): AppConfigRegistry {
  async function getOne(key: string): Promise<string | undefined> {
    const s = await azureMaybe(`App Configuration get ${key}`, () => client.getConfigurationSetting({ key, label: REGISTRY_LABEL }));
    return s?.value ?? undefined;
  }

  /** Every key under `prefix` (all pages). */
  async function getTree(prefix: string): Promise<Map<string, string>> {
    return azure(`App Configuration list ${prefix}*`, async () => {
      const out = new Map<string, string>();
      for await (const s of client.listConfigurationSettings({ keyFilter: `${prefix}*`, labelFilter: REGISTRY_LABEL })) {
        if (s.value !== undefined) out.set(s.key, s.value);
      }
      return out;
    });
  }

  function tagsFor(r: VersionRecord, extra: Record<string, string> = {}): Record<string, string> {
    return { 'rcdebug-managed': 'true', 'rcdebug-cloud': r.cloud, 'rcdebug-flavor': r.flavor, 'rcdebug-digest': r.inputDigest, 'rcdebug-rc': r.rc, ...opts.tags, ...extra };
  }

  /** Writes a key when its value changed (a retry adds no revision). */
  async function put(key: string, value: string, current: Map<string, string>, tags: Record<string, string>): Promise<void> {
    if (current.get(key) === value) return;
    await azure(`App Configuration set ${key}`, () => client.setConfigurationSetting({ key, label: REGISTRY_LABEL, value, tags, contentType: 'text/plain' }));
  }

  async function byPointer(key: string, cloud: CloudName, flavor: Flavor): Promise<VersionRecord | undefined> {
    const value = await getOne(key);
    if (value === undefined) return undefined;
    const [kernelRelease, inputDigest, extra] = value.split('/');
    if (!kernelRelease || !inputDigest || extra !== undefined) throw new InfraError(`registry pointer ${key} holds ${JSON.stringify(value)}, not <kernel-release>/<input-digest>`);
    const prefix = recordPrefix({ cloud, flavor, kernelRelease, inputDigest });
    return parseRecord(cloud, flavor, prefix, await getTree(`${prefix}/`));
  }

  async function history(cloud: CloudName, flavor: Flavor): Promise<VersionRecord[]> {
    const base = flavorPrefix(cloud, flavor);
    return recordsOfTree(cloud, flavor, await getTree(`${base}/`));
  }


  return {
    async publish(record) {
      checkSegments({ kernelRelease: record.kernelRelease, inputDigest: record.inputDigest, rc: record.rc });
      const fields = recordParameters(record);
      const latest = latestPath(record.cloud, record.flavor);
      const rcPointer = rcPointerPath(record.rc, record.cloud, record.flavor);
      const pointer = pointerValue(record);
      const current = await getTree(`${recordPrefix(record)}/`);
      for (const key of [latest, rcPointer]) {
        const v = await getOne(key);
        if (v !== undefined) current.set(key, v);
      }
      // Fields first, pointers last: a reader following a pointer always finds a whole record.
      for (const [key, value] of Object.entries(fields)) await put(key, value, current, tagsFor(record));
      await put(rcPointer, pointer, current, tagsFor(record));
      await put(latest, pointer, current, tagsFor(record, { 'rcdebug-moved-by': `rc ${record.rc}` }));
      return { paths: [...Object.keys(fields), rcPointer, latest], latest, rcPointer };
    },
    async findByDigest(cloud, flavor, inputDigest) {
      return (await history(cloud, flavor)).find((r) => r.inputDigest === inputDigest);
    },
    latest: (cloud, flavor) => byPointer(latestPath(cloud, flavor), cloud, flavor),
    forRc: (rc, cloud, flavor) => byPointer(rcPointerPath(rc, cloud, flavor), cloud, flavor),
    history,
    async rollback(cloud, flavor, inputDigest) {
      const target = (await history(cloud, flavor)).find((r) => r.inputDigest === inputDigest);
      if (!target) throw new UserError(`no ${cloud}/${flavor} record has input digest ${inputDigest}: pick one from the registry's history`, 'inputDigest');
      const latest = latestPath(cloud, flavor);
      const current = new Map<string, string>();
      const v = await getOne(latest);
      if (v !== undefined) current.set(latest, v);
      await put(latest, pointerValue(target), current, tagsFor(target, { 'rcdebug-moved-by': `rollback ${new Date().toISOString()}` }));
    },
    async latestHistory(cloud, flavor) {
      const key = latestPath(cloud, flavor);
      return azure(`App Configuration revisions ${key}`, async () => {
        const out: PointerRevision[] = [];
        for await (const s of client.listRevisions({ keyFilter: key, labelFilter: REGISTRY_LABEL })) {
          out.push({ value: s.value ?? '', tags: s.tags ?? {}, modifiedAt: s.lastModified });
        }
        // Revisions come newest first.
        return out.sort((a, b) => (a.modifiedAt?.getTime() ?? 0) - (b.modifiedAt?.getTime() ?? 0));
      });
    },
    async deleteRecord(record) {
      const keys = Object.keys(recordParameters(record));
      const rcTree = await getTree('/rcdebug/rc/');
      const suffix = `/${record.cloud}/${record.flavor}`;
      for (const [key, value] of rcTree) if (key.endsWith(suffix) && value === pointerValue(record)) keys.push(key);
      for (const key of keys) await azureMaybe(`App Configuration delete ${key}`, () => client.deleteConfigurationSetting({ key, label: REGISTRY_LABEL }));
      return keys;
    },
  };
}

