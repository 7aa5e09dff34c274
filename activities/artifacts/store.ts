import { copyFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ArtifactRef } from '../../src/domain/contract';

/**
 * Where large things go (logs, kernels, reports); workflows carry only the references.
 * Keys are relative paths such as `<cycleId>/kernel-build/build.log`.
 */
export interface ArtifactStore {
  putFile(key: string, file: string): Promise<ArtifactRef>;
  putText(key: string, text: string): Promise<ArtifactRef>;
  getText(ref: ArtifactRef): Promise<string>;
  /** A local path for a key, for tools that write there directly (local store only). */
  localPath?(key: string): string;
}

/** Artifact store in a local directory; references are `file://` URLs. */
export function localArtifactStore(root: string): ArtifactStore {
  const pathOf = (key: string) => join(root, key);
  return {
    localPath: pathOf,
    async putFile(key, file) {
      const dest = pathOf(key);
      await mkdir(dirname(dest), { recursive: true });
      if (dest !== file) await copyFile(file, dest);
      return pathToFileURL(dest).href;
    },
    async putText(key, text) {
      const dest = pathOf(key);
      await mkdir(dirname(dest), { recursive: true });
      // Write then rename, so a reader never sees half a report.
      const tmp = `${dest}.tmp-${process.pid}`;
      await writeFile(tmp, text);
      await rename(tmp, dest);
      return pathToFileURL(dest).href;
    },
    async getText(ref) {
      return readFile(ref.startsWith('file:') ? fileURLToPath(ref) : ref, 'utf8');
    },
  };
}
