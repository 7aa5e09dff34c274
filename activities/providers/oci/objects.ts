/**
 * Object Storage as rcdebug uses it: text objects read with their ETag, written with
 * `if-match` / `if-none-match` preconditions, listed page by page (`nextStartWith`).
 */
import type { Readable } from 'node:stream';
import type { ObjectStorageClient } from 'oci-objectstorage';
import { classifyOciError, oci, ociStatus } from './errors';

/** One bucket of one namespace. */
export interface Bucket {
  client: ObjectStorageClient;
  namespace: string;
  bucket: string;
}

export interface StoredText {
  text: string;
  etag: string;
}

/** The namespace given, else the tenancy's (GetNamespace). */
export async function namespaceOf(client: ObjectStorageClient, given: string | undefined): Promise<string> {
  if (given) return given;
  const res = await oci('Object Storage GetNamespace', () => client.getNamespace({}));
  return res.value;
}

async function readAll(body: Readable | ReadableStream): Promise<string> {
  if ('getReader' in body) return new Response(body).text();
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

/** `oci://<namespace>/<bucket>/<name>`: how rcdebug names an object in outputs and reports. */
export function objectRef(b: Bucket, name: string): string {
  return `oci://${b.namespace}/${b.bucket}/${name}`;
}

/** The object's text and ETag, or undefined when there is none. */
export async function getText(b: Bucket, name: string): Promise<StoredText | undefined> {
  try {
    const res = await b.client.getObject({ namespaceName: b.namespace, bucketName: b.bucket, objectName: name });
    return { text: await readAll(res.value), etag: res.eTag };
  } catch (err) {
    if (ociStatus(err) === 404 && (err as { serviceCode?: string }).serviceCode !== 'BucketNotFound') return undefined;
    throw classifyOciError(err, `Object Storage GetObject ${objectRef(b, name)}`, 'RCDEBUG_OCI_BUCKET');
  }
}

/** The object parsed as JSON, or undefined. */
export async function getJson<T>(b: Bucket, name: string): Promise<T | undefined> {
  const t = await getText(b, name);
  return t ? (JSON.parse(t.text) as T) : undefined;
}

/** Why a conditional write was refused: someone else wrote the object first. */
export class PreconditionFailed extends Error {}

/**
 * Writes the object. `etag` undefined: unconditional; `null`: only if it does not exist yet
 * (if-none-match: *); a string: only if it still has that ETag (if-match). A refused
 * precondition is a PreconditionFailed. Returns the new ETag.
 */
export async function putText(b: Bucket, name: string, body: string | Buffer, etag?: string | null): Promise<string> {
  const what = `Object Storage PutObject ${objectRef(b, name)}`;
  try {
    const res = await b.client.putObject({
      namespaceName: b.namespace,
      bucketName: b.bucket,
      objectName: name,
      putObjectBody: body,
      contentLength: Buffer.byteLength(body),
      ...(etag === null ? { ifNoneMatch: '*' } : etag ? { ifMatch: etag } : {}),
    });
    return res.eTag;
  } catch (err) {
    if (ociStatus(err) === 412) throw new PreconditionFailed(`${what}: ${(err as Error).message}`);
    throw classifyOciError(err, what, 'RCDEBUG_OCI_BUCKET');
  }
}

/** Deletes the object (if-match `etag` when given); gone already is fine. */
export async function deleteObject(b: Bucket, name: string, etag?: string): Promise<boolean> {
  try {
    await b.client.deleteObject({ namespaceName: b.namespace, bucketName: b.bucket, objectName: name, ...(etag ? { ifMatch: etag } : {}) });
    return true;
  } catch (err) {
    if (ociStatus(err) === 404) return false;
    if (ociStatus(err) === 412) throw new PreconditionFailed(`Object Storage DeleteObject ${objectRef(b, name)}: ${(err as Error).message}`);
    throw classifyOciError(err, `Object Storage DeleteObject ${objectRef(b, name)}`);
  }
}

/** Every object name under `prefix` with its ETag and creation time, following nextStartWith. */
export async function listObjects(b: Bucket, prefix: string): Promise<Array<{ name: string; etag: string; timeCreated?: Date | undefined }>> {
  const out: Array<{ name: string; etag: string; timeCreated?: Date | undefined }> = [];
  let start: string | undefined;
  do {
    const res = await oci(`Object Storage ListObjects ${objectRef(b, prefix)}`, () =>
      b.client.listObjects({ namespaceName: b.namespace, bucketName: b.bucket, prefix, start, fields: 'name,etag,timeCreated', limit: 1000 }), 'RCDEBUG_OCI_BUCKET');
    for (const o of res.listObjects.objects) out.push({ name: o.name, etag: o.etag ?? '', timeCreated: o.timeCreated });
    start = res.listObjects.nextStartWith;
  } while (start);
  return out;
}
