/**
 * The artifact store on Cloud Storage (`gs://bucket/artifacts/<key>`), keeping a local copy
 * too: the findings engine and the tools read local files, the report links stay valid after
 * the worker is gone.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Bucket } from '@google-cloud/storage';
import type { ArtifactStore } from '../../artifacts/store';
import { localArtifactStore } from '../../artifacts/store';
import type { ArtifactRef } from '../../../src/domain/contract';
import { gcp } from './errors';

/** Splits `gs://bucket/name` into its parts. */
export function parseGsRef(ref: string): { bucket: string; name: string } {
  const m = /^gs:\/\/([^/]+)\/(.*)$/.exec(ref);
  if (!m?.[1] || m[2] === undefined) throw new Error(`not a gs:// reference: ${ref}`);
  return { bucket: m[1], name: m[2] };
}

/** An artifact store on `bucket`, mirrored to `localRoot`. */
export function gcsArtifactStore(bucket: Bucket, localRoot: string, prefix = 'artifacts/'): ArtifactStore {
  const local = localArtifactStore(localRoot);
  const put = async (key: string, body: Buffer | string): Promise<ArtifactRef> => {
    const name = `${prefix}${key}`;
    await gcp(`GCS write gs://${bucket.name}/${name}`, () => bucket.file(name).save(body, { resumable: false }));
    return `gs://${bucket.name}/${name}`;
  };
  return {
    localPath: (key) => join(localRoot, key),
    async putFile(key, file) {
      await local.putFile(key, file);
      return put(key, await readFile(file));
    },
    async putText(key, text) {
      await local.putText(key, text);
      return put(key, text);
    },
    async getText(ref) {
      if (!ref.startsWith('gs://')) return local.getText(ref);
      const { bucket: b, name } = parseGsRef(ref);
      const [buf] = await gcp(`GCS read ${ref}`, () => bucket.storage.bucket(b).file(name).download());
      const text = buf.toString('utf8');
      if (name.startsWith(prefix)) {
        const dest = join(localRoot, name.slice(prefix.length));
        await mkdir(dirname(dest), { recursive: true });
        await writeFile(dest, text);
      }
      return text;
    },
  };
}
