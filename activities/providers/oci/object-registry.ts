/**
 * The version registry on Object Storage: DESIGN.md's naming scheme, one object per key (the
 * key without its leading `/` is the object name), `latest` and per-rc pointers holding
 * `<kernel-release>/<input-digest>`. Writes are conditional on the ETag read just before
 * (`if-match`, or `if-none-match: *` for a new object): two publishes racing on a pointer
 * cannot both win; the loser gets an InfraError and its retry reads the winner's value. Every
 * move of `latest` also leaves an object under `.../latest-history/`, so the history of what
 * was latest when survives the pointer.
 */
import type { CloudName, Flavor } from '../../../src/domain/contract';
import { InfraError, UserError } from '../../../src/domain/errors';
import {
  RECORD_FIELDS,
  REGISTRY_ROOT,
  flavorPrefix,
  latestPath,
  pointerValue,
  rcPointerPath,
  recordParameters,
  recordPrefix,
  type VersionRecord,
  type VersionRegistry,
} from '../../../src/domain/registry/scheme';
import { PreconditionFailed, deleteObject, getText, listObjects, putText, type Bucket } from './objects';

/** Characters an object name segment of the scheme may hold. */
const SEGMENT = /^[A-Za-z0-9_.+-]+$/;

/** The object name of a scheme key. */
export const objectName = (key: string): string => key.replace(/^\//, '');
const keyOf = (name: string): string => `/${name}`;

export interface ObjectRegistry extends VersionRegistry {
  /** Deletes a record's objects and the rc pointers that point at it. Returns the keys deleted. */
  deleteRecord(record: VersionRecord): Promise<string[]>;
}

/** Writes `value` at `key` unless it already holds it; a lost race is an InfraError (retried). */
async function putIfChanged(b: Bucket, key: string, value: string): Promise<boolean> {
  const current = await getText(b, objectName(key));
  if (current?.text === value) return false;
  try {
    await putText(b, objectName(key), value, current ? current.etag : null);
  } catch (err) {
    if (err instanceof PreconditionFailed) {
      throw new InfraError(`registry ${key} was written by someone else between read and write (${err.message}); the step will be retried and read it again`, err);
    }
    throw err;
  }
  return true;
}

/** The registry in `b`. */
export function objectRegistry(b: Bucket): ObjectRegistry {
  async function readRecord(cloud: CloudName, flavor: Flavor, kernelRelease: string, inputDigest: string): Promise<VersionRecord | undefined> {
    const prefix = recordPrefix({ cloud, flavor, kernelRelease, inputDigest });
    const values = new Map<string, string>();
    for (const f of RECORD_FIELDS) {
      const t = await getText(b, objectName(`${prefix}/${f}`));
      if (t) values.set(f, t.text);
    }
    return toRecord(cloud, flavor, kernelRelease, inputDigest, values);
  }

  function toRecord(cloud: CloudName, flavor: Flavor, kernelRelease: string, inputDigest: string, v: Map<string, string>): VersionRecord | undefined {
    const [imageId, configDigest, createdAt, rc] = ['image-id', 'config-digest', 'created-at', 'rc'].map((f) => v.get(f));
    // A record half written by an interrupted publish is not a record yet.
    if (imageId === undefined || configDigest === undefined || createdAt === undefined || rc === undefined) return undefined;
    return { cloud, flavor, kernelRelease, inputDigest, imageId, configDigest, createdAt, rc };
  }

  async function byPointer(key: string, cloud: CloudName, flavor: Flavor): Promise<VersionRecord | undefined> {
    const t = await getText(b, objectName(key));
    if (!t) return undefined;
    const [kernelRelease, inputDigest, extra] = t.text.split('/');
    if (!kernelRelease || !inputDigest || extra !== undefined) throw new InfraError(`registry pointer ${key} holds ${JSON.stringify(t.text)}, not <kernel-release>/<input-digest>`);
    return readRecord(cloud, flavor, kernelRelease, inputDigest);
  }

  async function history(cloud: CloudName, flavor: Flavor): Promise<VersionRecord[]> {
    const base = objectName(flavorPrefix(cloud, flavor));
    const byRecord = new Map<string, Map<string, string>>();
    for (const o of await listObjects(b, `${base}/`)) {
      const rest = o.name.slice(base.length + 1).split('/');
      if (rest.length !== 3 || rest[0] === 'latest-history') continue;
      const t = await getText(b, o.name);
      if (!t) continue;
      const id = `${rest[0]}/${rest[1]}`;
      const m = byRecord.get(id) ?? new Map<string, string>();
      m.set(rest[2]!, t.text);
      byRecord.set(id, m);
    }
    const records = [...byRecord].flatMap(([id, v]) => {
      const [kr, digest] = id.split('/');
      return toRecord(cloud, flavor, kr!, digest!, v) ?? [];
    });
    return records.sort((x, y) => x.createdAt.localeCompare(y.createdAt) || x.inputDigest.localeCompare(y.inputDigest));
  }

  async function moveLatest(record: Pick<VersionRecord, 'cloud' | 'flavor' | 'kernelRelease' | 'inputDigest'>, why: string): Promise<void> {
    const latest = latestPath(record.cloud, record.flavor);
    if (await putIfChanged(b, latest, pointerValue(record))) {
      const stamp = new Date().toISOString().replace(/[:.]/g, '');
      await putText(b, objectName(`${flavorPrefix(record.cloud, record.flavor)}/latest-history/${stamp}-${why}`), pointerValue(record));
    }
  }

  return {
    async publish(record) {
      for (const [field, value] of Object.entries({ kernelRelease: record.kernelRelease, inputDigest: record.inputDigest, rc: record.rc })) {
        if (!SEGMENT.test(value)) throw new UserError(`${field} ${JSON.stringify(value)} cannot be part of a registry object name: only letters, digits, '.', '+', '-' and '_'`, field);
      }
      const fields = recordParameters(record);
      const latest = latestPath(record.cloud, record.flavor);
      const rcPointer = rcPointerPath(record.rc, record.cloud, record.flavor);
      // Fields first, pointers last: a reader following a pointer always finds a whole record.
      for (const [key, value] of Object.entries(fields)) await putIfChanged(b, key, value);
      await putIfChanged(b, rcPointer, pointerValue(record));
      await moveLatest(record, `rc-${record.rc}`);
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
      if (!target) throw new UserError(`no ${cloud}/${flavor} record has input digest ${inputDigest}: pick one from \`rcdebug janitor registry --cloud oci --flavor ${flavor}\``, 'inputDigest');
      await moveLatest(target, 'rollback');
    },
    async deleteRecord(record) {
      const keys = Object.keys(recordParameters(record));
      const suffix = `/${record.cloud}/${record.flavor}`;
      for (const o of await listObjects(b, objectName(`${REGISTRY_ROOT}/rc/`))) {
        if (!keyOf(o.name).endsWith(suffix)) continue;
        const t = await getText(b, o.name);
        if (t?.text === pointerValue(record)) keys.push(keyOf(o.name));
      }
      const deleted: string[] = [];
      for (const key of keys) if (await deleteObject(b, objectName(key))) deleted.push(key);
      return deleted;
    },
  };
}
