/**
 * The Compute Gallery names an image version `Major.Minor.Patch`, three 32-bit integers, and
 * rcdebug names a build by its rc and input digest. The mapping is deterministic, so a rerun of
 * the same inputs finds the version it baked, and it is recorded in the registry (the record's
 * image id is the version's resource id). Pure module.
 *
 *   Major = X*10000 + Y*100 + Z of the rc `vX.Y.Z[-rcN]` (X < 214748, Y and Z < 100),
 *           else the first 7 hex digits of sha256(rc)
 *   Minor = N of `-rcN`, 0 for a release
 *   Patch = the first 7 hex digits of the input digest (below 2^28)
 */
import { createHash } from 'node:crypto';
import { UserError } from '../../../src/domain/errors';
import { GALLERY_VERSION, INT32_MAX } from './names';

const RC = /^v?(\d+)\.(\d+)\.(\d+)(?:-rc(\d+))?$/;

function hex7(text: string): number {
  return Number.parseInt(text.slice(0, 7), 16);
}

/** The gallery image version of an rc and an input digest (hex). */
export function galleryVersion(rc: string, digest: string): string {
  if (!/^[0-9a-f]{7,}$/.test(digest)) throw new UserError(`the input digest ${JSON.stringify(digest)} is not hex: cannot name a gallery image version from it`, 'digest');
  const m = RC.exec(rc);
  let major: number;
  let minor = 0;
  if (m && Number(m[2]) < 100 && Number(m[3]) < 100 && Number(m[1]) * 10000 < INT32_MAX - 9999) {
    major = Number(m[1]) * 10000 + Number(m[2]) * 100 + Number(m[3]);
    minor = Number(m[4] ?? 0);
  } else {
    major = hex7(createHash('sha256').update(rc).digest('hex'));
  }
  if (minor > INT32_MAX) throw new UserError(`the rc number of ${rc} is too large for a gallery image version`, 'rc');
  return `${major}.${minor}.${hex7(digest)}`;
}

/** The three numbers of a version name, or undefined when it is not `Major.Minor.Patch` of 32-bit integers. */
export function parseGalleryVersion(name: string): [number, number, number] | undefined {
  const m = GALLERY_VERSION.exec(name);
  if (!m) return undefined;
  const parts = [Number(m[1]), Number(m[2]), Number(m[3])] as [number, number, number];
  return parts.every((p) => p <= INT32_MAX) ? parts : undefined;
}
