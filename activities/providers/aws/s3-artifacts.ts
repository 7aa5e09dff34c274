/**
 * The artifact store on S3 (`s3://bucket/<prefix><key>`), keeping a local copy under a
 * directory too: the findings engine and the tools read local files, the report links stay
 * valid after the worker is gone.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { ArtifactStore } from '../../artifacts/store';
import { localArtifactStore } from '../../artifacts/store';
import type { ArtifactRef } from '../../../src/domain/contract';
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
  const local = localArtifactStore(localRoot);
  const put = async (key: string, body: Buffer | string): Promise<ArtifactRef> => {
    const Key = `${prefix}${key}`;
    await aws(`S3 PutObject s3://${bucket}/${Key}`, () => clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: body })));
    return `s3://${bucket}/${Key}`;
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
      if (!ref.startsWith('s3://')) return local.getText(ref);
      const { bucket: b, key } = parseS3Ref(ref);
      const res = await aws(`S3 GetObject ${ref}`, () => clients.s3.send(new GetObjectCommand({ Bucket: b, Key: key })));
      const text = (await res.Body?.transformToString('utf8')) ?? '';
      // Keep a local copy for the tools that want a path.
      if (key.startsWith(prefix)) {
        const dest = join(localRoot, key.slice(prefix.length));
        await mkdir(dirname(dest), { recursive: true });
        await writeFile(dest, text);
      }
      return text;
    },
  };
}
