import { open, readFile, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StepIO } from '../../../src/domain/contract';
import { InfraError } from '../../../src/domain/errors';

const POLL_MS = 2_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when the lock was left by a process of this host that no longer runs. */
async function stale(lockFile: string): Promise<boolean> {
  const text = await readFile(lockFile, 'utf8').catch(() => '');
  const [pid, host] = text.trim().split(/\s+/);
  if (!pid || !host) return false;
  return host === hostname() && !alive(Number(pid));
}

/**
 * Runs `fn` holding an exclusive lock file (created with O_EXCL, holding `<pid> <host>`), so two
 * cycles building the same kernel or image at once never write the same cache directory. A lock
 * left by a dead process of this host is taken over; a live one is waited for, with heartbeats.
 */
export async function withCacheLock<T>(lockFile: string, io: StepIO | undefined, what: string, fn: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      const fh = await open(lockFile, 'wx');
      await fh.writeFile(`${process.pid} ${hostname()}\n`);
      await fh.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new InfraError(`cannot create the lock ${lockFile}: ${(err as Error).message}`, err);
    }
    if (await stale(lockFile)) {
      await unlink(lockFile).catch(() => undefined);
      continue;
    }
    io?.progress({ message: `waiting for another ${what} of the same inputs (lock ${lockFile})` });
    try {
      await sleep(POLL_MS, undefined, { signal: io?.signal });
    } catch {
      throw new InfraError(`stopped waiting for the lock ${lockFile}: the step was cancelled`);
    }
  }
  try {
    return await fn();
  } finally {
    await unlink(lockFile).catch(() => undefined);
  }
}
