/**
 * The artifact store on Object Storage (`oci://<namespace>/<bucket>/artifacts/<key>`), with a
 * local copy: the findings engine and the tools read local files.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ArtifactStore } from '../../artifacts/store';
import { localArtifactStore } from '../../artifacts/store';
import { getText, objectRef, putText, type Bucket } from './objects';

const PREFIX = 'artifacts/';

export function objectArtifactStore(b: Bucket, localRoot: string): ArtifactStore {
  const local = localArtifactStore(localRoot);
  const put = async (key: string, body: Buffer | string) => {
    await putText(b, `${PREFIX}${key}`, body);
    return objectRef(b, `${PREFIX}${key}`);
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
      const base = objectRef(b, '');
      if (!ref.startsWith(base)) return local.getText(ref);
      const name = ref.slice(base.length);
      const text = (await getText(b, name))?.text ?? '';
      if (name.startsWith(PREFIX)) {
        const dest = join(localRoot, name.slice(PREFIX.length));
        await mkdir(dirname(dest), { recursive: true });
        await writeFile(dest, text);
      }
      return text;
    },
  };
}
