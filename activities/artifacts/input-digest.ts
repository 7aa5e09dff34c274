/**
 * Input digests of builds, for every cloud: every file and value that changes what comes out,
 * hashed, so the same inputs give the same digest and a rerun finds the earlier build.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { repoRoot } from '../../src/domain/paths';

/** Every file under `dir`, sorted; none when it does not exist. */
export async function filesUnder(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else if (e.isFile()) out.push(p);
  }
  return out.sort();
}

/** The digest (40 hex) of the values and the files' contents (a missing file hashes as missing). */
export async function hashInputs(parts: { files: string[]; values: Record<string, string> }): Promise<string> {
  const h = createHash('sha256');
  for (const [k, v] of Object.entries(parts.values).sort(([a], [b]) => a.localeCompare(b))) h.update(`value ${k}=${v}\n`);
  for (const path of parts.files) {
    // Missing optional inputs hash as missing; stat first so a directory is never read as a file.
    const s = await stat(path).catch(() => undefined);
    h.update(`file ${relative(repoRoot, path)} `);
    h.update(s?.isFile() ? await readFile(path) : 'missing');
    h.update('\n');
  }
  return h.digest('hex').slice(0, 40);
}
