/**
 * Preflight: every file and field a cycle will read, checked before its first step, so bad
 * input is refused at once instead of after a kernel build and a whole soak. Cloud-neutral:
 * the manifest is checked through the plugins of the cycle's clouds. `rcdebug start` calls it
 * on the client; workers register it as the activity `preflight` for cycles started elsewhere.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CycleInput } from '../src/domain/contract';
import { isUserError, type FieldIssue } from '../src/domain/errors';
import { loadBaseline } from '../src/domain/findings/baseline';
import { resolveInputPath } from '../src/domain/paths';
import { loadManifestFor } from './cycle-manifest';

/** What preflight found: the cycle must not start while `errors` is not empty. */
export interface PreflightResult {
  errors: FieldIssue[];
  warnings: FieldIssue[];
}

/** The kind of a path, or undefined when there is nothing there. */
async function kindOf(path: string): Promise<'file' | 'dir' | 'other' | undefined> {
  try {
    const s = await stat(path);
    return s.isFile() ? 'file' : s.isDirectory() ? 'dir' : 'other';
  } catch {
    return undefined;
  }
}

async function manifestIssues(input: Pick<CycleInput, 'manifest' | 'clouds'>, out: PreflightResult): Promise<void> {
  const r = await loadManifestFor(resolveInputPath(input.manifest), input.clouds);
  // One input field, `manifest`; where in the file is in the message.
  const inFile = (i: FieldIssue): FieldIssue => ({ field: 'manifest', message: `${i.field}: ${i.message}` });
  out.errors.push(...r.errors.map(inFile));
  out.warnings.push(...r.warnings.map(inFile));
}

async function baselineIssues(baseline: string | undefined, out: PreflightResult): Promise<void> {
  if (baseline === undefined) return;
  const path = resolveInputPath(baseline);
  const kind = await kindOf(path);
  if (kind !== 'file') {
    const what = kind === undefined ? 'does not exist' : 'is not a file';
    out.errors.push({ field: 'baseline', message: `${path} ${what}: give the path of a known-issues baseline (YAML), relative to the repository root or absolute` });
    return;
  }
  try {
    await loadBaseline(path);
  } catch (err) {
    if (!isUserError(err)) throw err;
    out.errors.push({ field: 'baseline', message: `${err.message}${err.hint ? ` (${err.hint})` : ''}` });
  }
}

async function moduleIssues(source: string, out: PreflightResult): Promise<void> {
  const dir = resolveInputPath(source);
  const kind = await kindOf(dir);
  if (kind !== 'dir') {
    out.errors.push({ field: 'module.source', message: `${dir} ${kind === undefined ? 'does not exist' : 'is not a directory'}: give the directory of the out-of-tree module` });
    return;
  }
  if ((await kindOf(join(dir, 'Makefile'))) !== 'file' && (await kindOf(join(dir, 'Kbuild'))) !== 'file') {
    out.errors.push({ field: 'module.source', message: `${dir} has no Makefile or Kbuild: point it at the directory holding the module Makefile (obj-m := <name>.o)` });
  }
}

/** Checks the manifest (for the cycle's clouds), the baseline and the module source of a valid cycle input. */
export async function preflight(input: Pick<CycleInput, 'manifest' | 'clouds' | 'baseline' | 'module'>): Promise<PreflightResult> {
  const out: PreflightResult = { errors: [], warnings: [] };
  await manifestIssues(input, out);
  await baselineIssues(input.baseline, out);
  await moduleIssues(input.module.source, out);
  return out;
}
