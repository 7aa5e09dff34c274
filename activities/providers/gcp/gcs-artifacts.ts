/** The artifact store on Cloud Storage (`gs://bucket/artifacts/<key>`), mirrored to a local directory. */
import type { Bucket } from '@google-cloud/storage';
import { mirroredArtifactStore } from '../../artifacts/mirrored-store';
import type { ArtifactStore } from '../../artifacts/store';
import { gcp } from './errors';

/** Splits `gs://bucket/name` into its parts. */
export function parseGsRef(ref: string): { bucket: string; name: string } {
  const m = /^gs:\/\/([^/]+)\/(.*)$/.exec(ref);
  if (!m?.[1] || m[2] === undefined) throw new Error(`not a gs:// reference: ${ref}`);
  return { bucket: m[1], name: m[2] };
}

/** An artifact store on `bucket`, mirrored to `localRoot`. */
export function gcsArtifactStore(bucket: Bucket, localRoot: string, prefix = 'artifacts/'): ArtifactStore {
  return mirroredArtifactStore({
    async put(name, body) {
      await gcp(`GCS write gs://${bucket.name}/${name}`, () => bucket.file(name).save(body, { resumable: false }));
      return `gs://${bucket.name}/${name}`;
    },
    async read(ref) {
      if (!ref.startsWith('gs://')) return undefined;
      const { bucket: b, name } = parseGsRef(ref);
      const [buf] = await gcp(`GCS read ${ref}`, () => bucket.storage.bucket(b).file(name).download());
      return { name, text: buf.toString('utf8') };
    },
  }, localRoot, prefix);
}
