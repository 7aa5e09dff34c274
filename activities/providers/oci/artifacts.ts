/**
 * The artifact store on Object Storage (`oci://<namespace>/<bucket>/artifacts/<key>`), mirrored
 * to a local directory.
 */
import { mirroredArtifactStore } from '../../artifacts/mirrored-store';
import type { ArtifactStore } from '../../artifacts/store';
import { getText, objectRef, putText, type Bucket } from './objects';

export function objectArtifactStore(b: Bucket, localRoot: string): ArtifactStore {
  return mirroredArtifactStore({
    async put(name, body) {
      await putText(b, name, body);
      return objectRef(b, name);
    },
    async read(ref) {
      const base = objectRef(b, '');
      if (!ref.startsWith(base)) return undefined;
      const name = ref.slice(base.length);
      return { name, text: (await getText(b, name))?.text ?? '' };
    },
  }, localRoot);
}
