import { openSync, readFileSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { afterAll, beforeAll, inject } from 'vitest';
import { isAlive } from '../../activities/providers/local/vm-state';

/**
 * One file of real VMs at a time. A TCG guest is CPU-bound, and on two cores two such files
 * side by side (each with several two-vCPU guests) slow every guest two or three times over:
 * boots and kmemleak scans then run into their bounds, which is a failure the users would never
 * see on a machine sized for its nodes. The other vitest worker goes on with the files that boot
 * nothing. The lock is a file of the run's own temp dir holding its owner's pid, so a worker that
 * died without its afterAll does not hold it past its death.
 */
export function holdVmLock(): void {
  let release: (() => void) | undefined;
  beforeAll(async () => {
    release = await takeLock(inject('vmLockFile'));
  }, 4 * 3600_000);
  afterAll(() => release?.());
}

/** Waits until the lock file is free (or its owner dead), takes it; resolves to its release. */
export async function takeLock(path: string, pollMs = 2000): Promise<() => void> {
  while (!tryTake(path)) await new Promise((r) => setTimeout(r, pollMs));
  return () => unlinkSync(path);
}

function tryTake(path: string): boolean {
  try {
    const fd = openSync(path, 'wx');
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const owner = Number(readFileOr(path));
  if (owner && !isAlive(owner)) {
    try {
      unlinkSync(path);
    } catch {
      // Another waiter removed it first.
    }
  }
  return false;
}

function readFileOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
