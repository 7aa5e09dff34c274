import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { CloudName, Flavor } from '../../../src/domain/contract';
import { InfraError, UserError } from '../../../src/domain/errors';
import { REGISTRY_ROOT, flavorPrefix, latestPath, pointerValue, rcPointerPath, recordParameters, recordPrefix, type VersionRecord, type VersionRegistry } from '../../../src/domain/registry/scheme';

/**
 * The version registry in files: every parameter of the naming scheme is one file under `root`
 * (`<root>/rcdebug/local/kasan/latest` holds `<kernel-release>/<input-digest>`), written
 * atomically (tmp + rename). Records are never deleted, so the history of a flavor is its
 * record folders, ordered by `created-at`.
 */
export function localRegistry(root: string): VersionRegistry {
  const fileOf = (path: string) => {
    if (!path.startsWith(`${REGISTRY_ROOT}/`) || path.split('/').includes('..')) {
      throw new InfraError(`registry path ${path} is outside ${REGISTRY_ROOT}`);
    }
    return join(root, path);
  };

  async function put(path: string, value: string): Promise<void> {
    const file = fileOf(path);
    await mkdir(dirname(file), { recursive: true });
    // A unique tmp name per writer: two workers publishing at once never share a half file.
    const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
    await writeFile(tmp, value);
    await rename(tmp, file);
  }

  async function get(path: string): Promise<string | undefined> {
    try {
      return await readFile(fileOf(path), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new InfraError(`cannot read registry parameter ${path}: ${(err as Error).message}`, err);
    }
  }

  async function readRecord(cloud: CloudName, flavor: Flavor, kernelRelease: string, inputDigest: string): Promise<VersionRecord | undefined> {
    const prefix = recordPrefix({ cloud, flavor, kernelRelease, inputDigest });
    const [imageId, configDigest, createdAt, rc] = await Promise.all(
      ['image-id', 'config-digest', 'created-at', 'rc'].map((f) => get(`${prefix}/${f}`)),
    );
    // The record is complete only once every field is there; `created-at` is written last.
    if (imageId === undefined || configDigest === undefined || createdAt === undefined || rc === undefined) return undefined;
    return { cloud, flavor, kernelRelease, inputDigest, imageId, configDigest, createdAt, rc };
  }

  async function byPointer(path: string, cloud: CloudName, flavor: Flavor): Promise<VersionRecord | undefined> {
    const value = await get(path);
    if (!value) return undefined;
    const [kernelRelease, inputDigest] = value.split('/');
    if (!kernelRelease || !inputDigest) throw new InfraError(`registry pointer ${path} holds "${value}", not <kernel-release>/<input-digest>`);
    return readRecord(cloud, flavor, kernelRelease, inputDigest);
  }

  async function listDirs(dir: string): Promise<string[]> {
    try {
      return (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new InfraError(`cannot list registry folder ${dir}: ${(err as Error).message}`, err);
    }
  }

  async function history(cloud: CloudName, flavor: Flavor): Promise<VersionRecord[]> {
    const base = fileOf(flavorPrefix(cloud, flavor));
    const records: VersionRecord[] = [];
    for (const kernelRelease of await listDirs(base)) {
      for (const inputDigest of await listDirs(join(base, kernelRelease))) {
        const r = await readRecord(cloud, flavor, kernelRelease, inputDigest);
        if (r) records.push(r);
      }
    }
    return records.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  return {
    async publish(record) {
      const params = recordParameters(record);
      const prefix = recordPrefix(record);
      const existing = await readRecord(record.cloud, record.flavor, record.kernelRelease, record.inputDigest);
      const paths: string[] = [];
      for (const [path, value] of Object.entries(params)) {
        if (path === `${prefix}/created-at`) continue;
        await put(path, value);
        paths.push(path);
      }
      // A republished record keeps its first creation time, so history order stays stable.
      await put(`${prefix}/created-at`, existing?.createdAt ?? record.createdAt);
      paths.push(`${prefix}/created-at`);
      const latest = latestPath(record.cloud, record.flavor);
      const rcPointer = rcPointerPath(record.rc, record.cloud, record.flavor);
      await put(latest, pointerValue(record));
      await put(rcPointer, pointerValue(record));
      paths.push(latest, rcPointer);
      return { paths, latest, rcPointer };
    },
    async findByDigest(cloud, flavor, inputDigest) {
      return (await history(cloud, flavor)).find((r) => r.inputDigest === inputDigest);
    },
    latest: (cloud, flavor) => byPointer(latestPath(cloud, flavor), cloud, flavor),
    forRc: (rc, cloud, flavor) => byPointer(rcPointerPath(rc, cloud, flavor), cloud, flavor),
    history,
    async rollback(cloud, flavor, inputDigest) {
      const target = (await history(cloud, flavor)).find((r) => r.inputDigest === inputDigest);
      if (!target) {
        throw new UserError(`no ${cloud}/${flavor} record has input digest ${inputDigest}`, 'inputDigest', 'pick one from the registry history');
      }
      await put(latestPath(cloud, flavor), pointerValue(target));
    },
  };
}
