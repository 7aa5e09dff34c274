/**
 * The version registry on Cloud Storage: DESIGN.md's naming scheme as object names (the
 * scheme's paths without the leading `/`). A record is ONE object, `<record path>/record.json`,
 * holding every field, so it appears whole or not at all; `latest` and the per-rc pointers are
 * objects holding `<kernel-release>/<input-digest>`. Every write carries a generation
 * precondition: a record is created only if absent (or replaced only at the generation read),
 * a pointer moves only from the generation read, so two publishers racing never interleave:
 * the loser's write fails cleanly (ConcurrentWriteError, an InfraError retried). Records are
 * never deleted by a publish: the flavor's history is its records.
 */
import type { Bucket } from '@google-cloud/storage';
import type { CloudName, Flavor } from '../../../src/domain/contract';
import { InfraError } from '../../../src/domain/errors';
import { flavorPrefix, latestPath, pointerValue, rcPointerPath, recordPrefix, type VersionRecord, type VersionRegistry } from '../../../src/domain/registry/scheme';
import { gcp } from './errors';
import { listNames, readObject, writeObject } from './gcs-objects';

/** Object name of a scheme path. */
const objectName = (path: string) => path.replace(/^\//, '');
const RECORD = 'record.json';

/** The GCS registry: the shared interface plus what the janitor needs. */
export interface GcsRegistry extends VersionRegistry {
  /** Deletes a record and the pointers that point at it; returns the object names deleted. */
  deleteRecord(record: VersionRecord): Promise<string[]>;
}

export function gcsRegistry(bucket: Bucket, opts: { labels?: Record<string, string> } = {}): GcsRegistry {
  const recordObject = (r: Pick<VersionRecord, 'cloud' | 'flavor' | 'kernelRelease' | 'inputDigest'>) => `${objectName(recordPrefix(r))}/${RECORD}`;

  function parse(text: string, where: string): VersionRecord {
    try {
      return JSON.parse(text) as VersionRecord;
    } catch (err) {
      throw new InfraError(`the registry record gs://${bucket.name}/${where} is not JSON (${(err as Error).message}): remove it or publish again`);
    }
  }

  async function readRecord(cloud: CloudName, flavor: Flavor, kernelRelease: string, inputDigest: string): Promise<VersionRecord | undefined> {
    const name = recordObject({ cloud, flavor, kernelRelease, inputDigest });
    const o = await readObject(bucket, name);
    return o ? parse(o.text, name) : undefined;
  }

  async function byPointer(path: string, cloud: CloudName, flavor: Flavor): Promise<VersionRecord | undefined> {
    const o = await readObject(bucket, objectName(path));
    if (!o) return undefined;
    const [kernelRelease, inputDigest] = o.text.trim().split('/');
    return kernelRelease && inputDigest ? readRecord(cloud, flavor, kernelRelease, inputDigest) : undefined;
  }

  /** Moves a pointer from the generation read to `value` (no write when it already holds it). */
  async function movePointer(path: string, value: string): Promise<void> {
    const current = await readObject(bucket, objectName(path));
    if (current?.text === value) return;
    await writeObject(bucket, objectName(path), value, current?.generation ?? 0, { metadata: opts.labels });
  }

  async function history(cloud: CloudName, flavor: Flavor): Promise<VersionRecord[]> {
    const names = (await listNames(bucket, `${objectName(flavorPrefix(cloud, flavor))}/`)).filter((n) => n.endsWith(`/${RECORD}`));
    const records: VersionRecord[] = [];
    for (const name of names) {
      const o = await readObject(bucket, name);
      if (o) records.push(parse(o.text, name));
    }
    return records.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.inputDigest.localeCompare(b.inputDigest));
  }

  return {
    async publish(record) {
      const name = recordObject(record);
      const text = `${JSON.stringify(record, null, 2)}\n`;
      const existing = await readObject(bucket, name);
      if (existing?.text !== text) {
        await writeObject(bucket, name, text, existing?.generation ?? 0, { contentType: 'application/json', metadata: { ...opts.labels, 'rcdebug-rc': record.rc } });
      }
      const value = pointerValue(record);
      const latest = latestPath(record.cloud, record.flavor);
      const rcPointer = rcPointerPath(record.rc, record.cloud, record.flavor);
      await movePointer(latest, value);
      await movePointer(rcPointer, value);
      return { paths: [`/${name}`, latest, rcPointer], latest, rcPointer };
    },
    async findByDigest(cloud, flavor, inputDigest) {
      // Records are found by name: any kernel release, this digest.
      const names = await listNames(bucket, `${objectName(flavorPrefix(cloud, flavor))}/`);
      const name = names.find((n) => n.endsWith(`/${inputDigest}/${RECORD}`));
      if (!name) return undefined;
      const o = await readObject(bucket, name);
      return o ? parse(o.text, name) : undefined;
    },
    latest: (cloud, flavor) => byPointer(latestPath(cloud, flavor), cloud, flavor),
    forRc: (rc, cloud, flavor) => byPointer(rcPointerPath(rc, cloud, flavor), cloud, flavor),
    history,
    async rollback(cloud, flavor, inputDigest) {
      const target = (await history(cloud, flavor)).find((r) => r.inputDigest === inputDigest);
      if (!target) throw new InfraError(`no ${cloud}/${flavor} record with input digest ${inputDigest} to roll back to`);
      await movePointer(latestPath(cloud, flavor), pointerValue(target));
    },
    async deleteRecord(record) {
      const deleted: string[] = [];
      const value = pointerValue(record);
      for (const path of [latestPath(record.cloud, record.flavor), rcPointerPath(record.rc, record.cloud, record.flavor)]) {
        const o = await readObject(bucket, objectName(path));
        if (o?.text === value) {
          await gcp(`GCS delete gs://${bucket.name}/${objectName(path)}`, () => bucket.file(objectName(path)).delete({ ifGenerationMatch: o.generation }));
          deleted.push(objectName(path));
        }
      }
      const name = recordObject(record);
      await gcp(`GCS delete gs://${bucket.name}/${name}`, () => bucket.file(name).delete({ ignoreNotFound: true }));
      deleted.push(name);
      return deleted;
    },
  };
}
