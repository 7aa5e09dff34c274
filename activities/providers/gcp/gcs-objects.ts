/**
 * Cloud Storage objects as rcdebug writes them: whole objects only (a reader never sees half
 * a value), guarded by generation preconditions. `ifGenerationMatch: 0` creates an object only
 * if none exists; a generation number replaces exactly that version. A write that loses a race
 * (HTTP 412) fails cleanly with a ConcurrentWriteError and changes nothing.
 */
import type { Bucket } from '@google-cloud/storage';
import { InfraError } from '../../../src/domain/errors';
import { gcp, gcpIfExists, httpStatusOf } from './errors';

/** Another writer changed the object between our read and our write; retrying re-reads it. */
export class ConcurrentWriteError extends InfraError {}

/** An object's text and generation; undefined when it does not exist. */
export async function readObject(bucket: Bucket, name: string): Promise<{ text: string; generation: number } | undefined> {
  const meta = await gcpIfExists(`GCS get gs://${bucket.name}/${name}`, () => bucket.file(name).getMetadata());
  if (!meta) return undefined;
  const generation = Number(meta[0].generation);
  // Read exactly that generation, so text and generation belong together (gone meanwhile: absent).
  const body = await gcpIfExists(`GCS read gs://${bucket.name}/${name}`, () => bucket.file(name, { generation }).download());
  return body ? { text: body[0].toString('utf8'), generation } : undefined;
}

/**
 * Writes `text` to `name` if its generation is still `generation` (0: only if it does not
 * exist). Throws ConcurrentWriteError when another writer got there first.
 */
export async function writeObject(bucket: Bucket, name: string, text: string, generation: number, opts: { contentType?: string; metadata?: Record<string, string> } = {}): Promise<void> {
  try {
    await gcp(`GCS write gs://${bucket.name}/${name}`, () =>
      bucket.file(name).save(text, {
        resumable: false,
        contentType: opts.contentType ?? 'text/plain; charset=utf-8',
        metadata: opts.metadata ? { metadata: opts.metadata } : undefined,
        preconditionOpts: { ifGenerationMatch: generation },
      }),
    );
  } catch (err) {
    if (httpStatusOf((err as { cause?: unknown }).cause) === 412 || / 412|precondition/i.test((err as Error).message)) {
      throw new ConcurrentWriteError(`gs://${bucket.name}/${name} was changed by another writer meanwhile (generation ${generation} is gone): nothing was written, the step will be retried`, err);
    }
    throw err;
  }
}

/** Every object name under `prefix`, following the list's page tokens. */
export async function listNames(bucket: Bucket, prefix: string): Promise<string[]> {
  const names: string[] = [];
  let pageToken: string | undefined;
  do {
    const [files, next] = await gcp(`GCS list gs://${bucket.name}/${prefix}`, () => bucket.getFiles({ prefix, autoPaginate: false, maxResults: 500, pageToken }));
    names.push(...files.map((f) => f.name));
    pageToken = (next as { pageToken?: string } | null)?.pageToken;
  } while (pageToken);
  return names;
}
