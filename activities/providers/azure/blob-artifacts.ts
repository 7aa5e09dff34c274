/**
 * Blob Storage for the azure cloud: the artifact store (`azblob://<container>/<key>`, with a
 * local mirror the findings engine and the tools read), JSON and text reads of what a builder
 * uploaded, and reads of a blob by its SAS URL (the serial log boot diagnostics hands out).
 */
import { BlobClient, type BlobServiceClient } from '@azure/storage-blob';
import { mirroredArtifactStore } from '../../artifacts/mirrored-store';
import type { ArtifactStore } from '../../artifacts/store';
import type { ArtifactRef } from '../../../src/domain/contract';
import { azure, azureMaybe } from './errors';

/** Splits `azblob://container/key`. */
export function parseBlobRef(ref: string): { container: string; key: string } {
  const m = /^azblob:\/\/([^/]+)\/(.*)$/.exec(ref);
  if (!m?.[1] || m[2] === undefined) throw new Error(`not an azblob:// reference: ${ref}`);
  return { container: m[1], key: m[2] };
}

/** Uploads `body` to `container/key`. */
export async function putBlob(blob: BlobServiceClient, container: string, key: string, body: Buffer | string): Promise<ArtifactRef> {
  const data = typeof body === 'string' ? Buffer.from(body) : body;
  await azure(`Blob upload ${container}/${key}`, () => blob.getContainerClient(container).getBlockBlobClient(key).uploadData(data));
  return `azblob://${container}/${key}`;
}

/** Deletes `container/key`; a blob that is not there is fine. */
export async function deleteBlob(blob: BlobServiceClient, container: string, key: string): Promise<void> {
  await azure(`Blob delete ${container}/${key}`, () => blob.getContainerClient(container).getBlobClient(key).deleteIfExists());
}

/** The text of `container/key`, or undefined when it does not exist. */
export async function blobText(blob: BlobServiceClient, container: string, key: string): Promise<string | undefined> {
  const buf = await azureMaybe(`Blob download ${container}/${key}`, () => blob.getContainerClient(container).getBlobClient(key).downloadToBuffer());
  return buf?.toString('utf8');
}

/** The parsed JSON of `container/key`, or undefined when it does not exist. */
export async function blobJson<T>(blob: BlobServiceClient, container: string, key: string): Promise<T | undefined> {
  const text = await blobText(blob, container, key);
  return text === undefined ? undefined : (JSON.parse(text) as T);
}

/** A blob read through its SAS URL; undefined when it is gone. */
export async function sasBlob(url: string, maxRetries = 2): Promise<Buffer | undefined> {
  const client = new BlobClient(url, undefined, { retryOptions: { maxTries: maxRetries + 1, retryDelayInMs: 200 } });
  return azureMaybe(`Blob download ${new URL(url).pathname}`, () => client.downloadToBuffer());
}

/** An artifact store on `container`, mirrored to `localRoot`. */
export function blobArtifactStore(blob: BlobServiceClient, container: string, localRoot: string, prefix = 'artifacts/'): ArtifactStore {
  return mirroredArtifactStore({
    put: (key, body) => putBlob(blob, container, key, body),
    async read(ref) {
      if (!ref.startsWith('azblob://')) return undefined;
      const { container: c, key } = parseBlobRef(ref);
      return { name: key, text: (await blobText(blob, c, key)) ?? '' };
    },
  }, localRoot, prefix);
}
