import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Root of the rcdebug checkout (or installed package). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Where rcdebug keeps state that must survive restarts: the dev server's SQLite file,
 * artifacts, the local registry. `$RCDEBUG_HOME`, else `~/.local/state/rcdebug`.
 */
export function stateDir(): string {
  return process.env.RCDEBUG_HOME ?? join(homedir(), '.local', 'state', 'rcdebug');
}

/**
 * Where heavy, rebuildable things go, outside the checkout: tool binaries, kernel sources and
 * builds, images. `$RCDEBUG_CACHE`, else `~/.cache/rcdebug`.
 */
export function cacheDir(): string {
  return process.env.RCDEBUG_CACHE ?? join(homedir(), '.cache', 'rcdebug');
}

/** Resolves a path given in a cycle input: absolute as is, relative to the repository root. */
export function resolveInputPath(p: string): string {
  return resolve(repoRoot, p);
}
