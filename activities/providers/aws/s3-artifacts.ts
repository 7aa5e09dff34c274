/** The artifact store on S3 (`s3://bucket/<prefix><key>`), mirrored to a local directory. */
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { mirroredArtifactStore } from '../../artifacts/mirrored-store';
import type { ArtifactStore } from '../../artifacts/store';
import type { AwsClients } from './config';
import { aws } from './errors';

/** Splits `s3://bucket/key` into its parts. */
export function parseS3Ref(ref: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/]+)\/(.*)$/.exec(ref);
  if (!m?.[1] || m[2] === undefined) throw new Error(`not an s3:// reference: ${ref}`);
  return { bucket: m[1], key: m[2] };
}

/** An artifact store on `bucket`, mirrored to `localRoot`. */
export function s3ArtifactStore(clients: AwsClients, bucket: string, localRoot: string, prefix = 'artifacts/'): ArtifactStore {
  return mirroredArtifactStore({
    async put(Key, body) {
      await aws(`S3 PutObject s3://${bucket}/${Key}`, () => clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: body })));
      return `s3://${bucket}/${Key}`;
    },
    async read(ref) {
      if (!ref.startsWith('s3://')) return undefined;
      const { bucket: b, key } = parseS3Ref(ref);
      const res = await aws(`S3 GetObject ${ref}`, () => clients.s3.send(new GetObjectCommand({ Bucket: b, Key: key })));
      return { name: key, text: (await res.Body?.transformToString('utf8')) ?? '' };
    },
  }, localRoot, prefix);
}
