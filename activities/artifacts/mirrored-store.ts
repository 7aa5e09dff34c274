/**
 * An artifact store on a cloud's object storage that keeps a local copy of everything it
 * writes or reads: the findings engine and the tools read local files, the report links stay
 * valid after the worker is gone. The cloud gives only how an object is written and read.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ArtifactRef } from '../../src/domain/contract';
import { localArtifactStore, type ArtifactStore } from './store';

/** What a cloud's object storage does for the mirrored store. */
export interface ObjectSide {
  /** Writes `body` as the object `name`; its reference. */
  put(name: string, body: Buffer | string): Promise<ArtifactRef>;
  /** The object name and text a reference of this storage points at; undefined when `ref` is not one (it is read locally then). */
  read(ref: ArtifactRef): Promise<{ name: string; text: string } | undefined>;
}

/** Artifacts under `prefix` in the object storage, mirrored to `localRoot`. */
export function mirroredArtifactStore(objects: ObjectSide, localRoot: string, prefix = 'artifacts/'): ArtifactStore {
  const local = localArtifactStore(localRoot);
  return {
    localPath: (key) => join(localRoot, key),
    async putFile(key, file) {
      await local.putFile(key, file);
      return objects.put(`${prefix}${key}`, await readFile(file));
    },
    async putText(key, text) {
      await local.putText(key, text);
      return objects.put(`${prefix}${key}`, text);
    },
    async getText(ref) {
      const got = await objects.read(ref);
      if (!got) return local.getText(ref);
      // Keep a local copy for the tools that want a path.
      if (got.name.startsWith(prefix)) {
        const dest = join(localRoot, got.name.slice(prefix.length));
        await mkdir(dirname(dest), { recursive: true });
        await writeFile(dest, got.text);
      }
      return got.text;
    },
  };
}
