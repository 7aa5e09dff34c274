/**
 * A node's serial console, read incrementally. `instances.getSerialPortOutput` answers from a
 * byte offset (`start`) with the text and the `next` offset, but Compute keeps only the last
 * 1 MB of output, and only while the VM runs. So every soak check reads from where the last
 * one stopped and stores what it read as a chunk object in Cloud Storage
 * (`artifacts/<cycle>/serial/<node>/<start>.log`); log-harvest joins the chunks by offset, so a
 * soak longer than the ring loses no line. A returned `start` past the one asked for means
 * Compute had already dropped the bytes between (a check came too late): that gap is
 * reported, never hidden.
 */
import type { Bucket } from '@google-cloud/storage';
import type { ConsolePiece } from '../../steps/soak-check';
import type { GcpClients } from './config';
import { gcp, gcpIfExists } from './errors';
import { listNames } from './gcs-objects';

export interface SerialTarget {
  project: string;
  zone: string;
  instance: string;
}

/** Reads the console from `from` on; undefined when the instance is gone. */
export async function readSerial(clients: GcpClients, t: SerialTarget, from: number): Promise<(ConsolePiece & { next: number }) | undefined> {
  const found = await gcpIfExists(`compute instances.getSerialPortOutput ${t.zone}/${t.instance}`, () =>
    clients.instances.getSerialPortOutput({ project: t.project, zone: t.zone, instance: t.instance, port: 1, start: from }),
  );
  if (!found) return undefined;
  const [out] = found;
  const bytes = Buffer.from(out.contents ?? '', 'utf8');
  const start = Number(out.start ?? from);
  return { bytes, start, next: Number(out.next ?? start + bytes.length) };
}

const chunkPrefix = (cycle: string, node: string) => `artifacts/${cycle}/serial/${node}/`;
/** Zero-padded so names sort by offset. */
const chunkName = (cycle: string, node: string, start: number) => `${chunkPrefix(cycle, node)}${String(start).padStart(14, '0')}.log`;

/** Keeps a piece read from the console (nothing for an empty one). */
export async function storeChunk(bucket: Bucket, cycle: string, node: string, piece: ConsolePiece): Promise<void> {
  if (piece.bytes.length === 0) return;
  const name = chunkName(cycle, node, piece.start);
  await gcp(`GCS write gs://${bucket.name}/${name}`, () => bucket.file(name).save(piece.bytes, { resumable: false, contentType: 'text/plain' }));
}

/** A node's console joined from its chunks by offset; `gaps` counts bytes Compute had already dropped. */
export async function joinChunks(bucket: Bucket, cycle: string, node: string): Promise<{ text: Buffer; end: number; gaps: number }> {
  const names = (await listNames(bucket, chunkPrefix(cycle, node))).sort();
  const parts: Buffer[] = [];
  let end = 0;
  let gaps = 0;
  for (const name of names) {
    const start = Number(name.slice(name.lastIndexOf('/') + 1, -'.log'.length));
    const [buf] = await gcp(`GCS read gs://${bucket.name}/${name}`, () => bucket.file(name).download());
    if (start + buf.length <= end) continue;
    if (start > end) {
      gaps += start - end;
      parts.push(Buffer.from(`\n[rcdebug: ${start - end} console bytes were lost to the 1 MB serial ring before they were read]\n`));
      parts.push(buf);
    } else {
      parts.push(buf.subarray(end - start));
    }
    end = start + buf.length;
  }
  return { text: Buffer.concat(parts), end, gaps };
}
