/**
 * Builds the workflow bundle once per version of the workflow code and caches it under the
 * cache dir. Bundling (webpack) runs in a child process: it costs hundreds of MB the worker
 * should not keep as its peak.
 *
 * As a script: `tsx src/app/worker/bundle.ts <out-file>` writes the bundle there.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';
import { cacheDir, repoRoot } from '../../domain/paths';

export const workflowsPath = join(repoRoot, 'workflows', 'index.ts');
/** Loaded once per worker thread and shared by every workflow (see the file). */
export const preloadPath = join(repoRoot, 'workflows', 'preload.ts');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Digest of everything the bundle can contain: workflow code, the pure modules, the lock file. */
export function bundleDigest(): string {
  const h = createHash('sha256');
  for (const f of [...sourceFiles(join(repoRoot, 'workflows')), ...sourceFiles(join(repoRoot, 'src')), join(repoRoot, 'package-lock.json')].sort()) {
    h.update(relative(repoRoot, f)).update('\0').update(readFileSync(f)).update('\0');
  }
  return h.digest('hex').slice(0, 16);
}

/** Path of the cached bundle for the current code, building it in a child process if needed. */
export function cachedBundlePath(): string {
  const file = join(cacheDir(), 'workflow-bundles', `${bundleDigest()}.js`);
  if (!existsSync(file)) {
    mkdirSync(join(cacheDir(), 'workflow-bundles'), { recursive: true });
    execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), file], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return file;
}

async function main(out: string): Promise<void> {
  const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error };
  const { code } = await bundleWorkflowCode({ workflowsPath, preloadModules: [preloadPath], logger: quiet as never });
  // Write then rename: concurrent workers never read half a bundle.
  const tmp = `${out}.${process.pid}.tmp`;
  writeFileSync(tmp, code);
  renameSync(tmp, out);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1] && process.argv[2]) {
  await main(process.argv[2]);
}
