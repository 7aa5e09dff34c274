/**
 * The version registry naming scheme, one for every cloud: each cloud's store (a parameter
 * store, object storage, files) keeps these keys. Pure module.
 *
 *   /rcdebug/<cloud>/<flavor>/<kernel-release>/<input-digest>/{image-id,kernel-release,config-digest,created-at,rc}
 *   /rcdebug/<cloud>/<flavor>/latest          -> "<kernel-release>/<input-digest>"
 *   /rcdebug/rc/<rc>/<cloud>/<flavor>         -> "<kernel-release>/<input-digest>"
 */
import type { CloudName, Flavor } from '../contract';

export const REGISTRY_ROOT = '/rcdebug';
export const RECORD_FIELDS = ['image-id', 'kernel-release', 'config-digest', 'created-at', 'rc'] as const;

/** One published build: what a cycle needs to find it again. */
export interface VersionRecord {
  cloud: CloudName;
  flavor: Flavor;
  kernelRelease: string;
  inputDigest: string;
  imageId: string;
  configDigest: string;
  createdAt: string;
  rc: string;
}

export function flavorPrefix(cloud: CloudName, flavor: Flavor): string {
  return `${REGISTRY_ROOT}/${cloud}/${flavor}`;
}

export function recordPrefix(r: Pick<VersionRecord, 'cloud' | 'flavor' | 'kernelRelease' | 'inputDigest'>): string {
  return `${flavorPrefix(r.cloud, r.flavor)}/${r.kernelRelease}/${r.inputDigest}`;
}

export function latestPath(cloud: CloudName, flavor: Flavor): string {
  return `${flavorPrefix(cloud, flavor)}/latest`;
}

export function rcPointerPath(rc: string, cloud: CloudName, flavor: Flavor): string {
  return `${REGISTRY_ROOT}/rc/${rc}/${cloud}/${flavor}`;
}

/** The value a pointer (`latest`, per-rc) holds. */
export function pointerValue(r: Pick<VersionRecord, 'kernelRelease' | 'inputDigest'>): string {
  return `${r.kernelRelease}/${r.inputDigest}`;
}

/** The parameters of one record, path → value. */
export function recordParameters(r: VersionRecord): Record<string, string> {
  const p = recordPrefix(r);
  return {
    [`${p}/image-id`]: r.imageId,
    [`${p}/kernel-release`]: r.kernelRelease,
    [`${p}/config-digest`]: r.configDigest,
    [`${p}/created-at`]: r.createdAt,
    [`${p}/rc`]: r.rc,
  };
}

/**
 * The version registry: the one interface every cloud's store implements (the port of the
 * shared version-publish step).
 * Writes are idempotent; a record is found by its inputs (cache), by rc, or as latest.
 */
export interface VersionRegistry {
  /** Writes the record and moves the `latest` and per-rc pointers to it. Returns every path written. */
  publish(record: VersionRecord): Promise<{ paths: string[]; latest: string; rcPointer: string }>;
  /** The record built from these inputs, if any (the build cache). */
  findByDigest(cloud: CloudName, flavor: Flavor, inputDigest: string): Promise<VersionRecord | undefined>;
  latest(cloud: CloudName, flavor: Flavor): Promise<VersionRecord | undefined>;
  forRc(rc: string, cloud: CloudName, flavor: Flavor): Promise<VersionRecord | undefined>;
  /** Every record of a flavor, oldest first. */
  history(cloud: CloudName, flavor: Flavor): Promise<VersionRecord[]>;
  /** Points `latest` back at an earlier record. */
  rollback(cloud: CloudName, flavor: Flavor, inputDigest: string): Promise<void>;
}

/**
 * The record under `prefix` in a key → value map of the scheme's paths; undefined for one half
 * written by an interrupted publish (it is not a record yet).
 */
export function parseRecord(cloud: CloudName, flavor: Flavor, prefix: string, values: Map<string, string>): VersionRecord | undefined {
  const [kernelRelease, inputDigest] = prefix.slice(flavorPrefix(cloud, flavor).length + 1).split('/');
  const f = (field: (typeof RECORD_FIELDS)[number]) => values.get(`${prefix}/${field}`);
  const imageId = f('image-id');
  const configDigest = f('config-digest');
  const createdAt = f('created-at');
  const rc = f('rc');
  if (!kernelRelease || !inputDigest || imageId === undefined || configDigest === undefined || createdAt === undefined || rc === undefined) return undefined;
  return { cloud, flavor, kernelRelease, inputDigest, imageId, configDigest, createdAt, rc };
}

/** Every whole record of a flavor in a key → value map of its paths, oldest first. */
export function recordsOfTree(cloud: CloudName, flavor: Flavor, tree: Map<string, string>): VersionRecord[] {
  const base = flavorPrefix(cloud, flavor);
  const prefixes = new Set<string>();
  for (const key of tree.keys()) {
    if (!key.startsWith(`${base}/`)) continue;
    const rest = key.slice(base.length + 1).split('/');
    if (rest.length === 3) prefixes.add(`${base}/${rest[0]}/${rest[1]}`);
  }
  const records = [...prefixes].flatMap((p) => parseRecord(cloud, flavor, p, tree) ?? []);
  return records.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.inputDigest.localeCompare(b.inputDigest));
}
