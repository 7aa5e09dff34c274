import { rm } from 'node:fs/promises';
import type { StepIO, TeardownInput, TeardownOutput } from '../../../src/domain/contract';
import type { LocalDeps } from './deps';
import { cycleStateDir, cycleVms, isAlive, processArgs, qemuProcessesWith, vmPaths } from './vm-state';

const TERM_GRACE_MS = 5_000;

/** Stops one process: SIGTERM, a grace period, then SIGKILL. Resolves once it is gone. */
export async function stopProcess(pid: number): Promise<void> {
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  };
  if (!isAlive(pid)) return;
  signal('SIGTERM');
  const until = Date.now() + TERM_GRACE_MS;
  while (isAlive(pid) && Date.now() < until) await sleep(100);
  if (!isAlive(pid)) return;
  signal('SIGKILL');
  while (isAlive(pid)) await sleep(50);
}

/**
 * Stops every VM of a cycle: the ones with a pid file, and any qemu whose command line names
 * the cycle's state folder (a VM whose pid file was never written). Removes the cycle's run
 * state. Returns `vm:<node>` for each VM that was running.
 */
export async function stopCycleVms(deps: Pick<LocalDeps, 'stateDir'>, cycleId: string, io?: StepIO): Promise<string[]> {
  const removed: string[] = [];
  const dir = cycleStateDir(deps, cycleId);
  for (const { node, pid } of cycleVms(deps, cycleId)) {
    const paths = vmPaths(deps, cycleId, node);
    // A stale pid file may name a pid the system gave to something else since: check it is ours.
    if (pid !== undefined && processArgs(pid)?.includes(paths.pidFile)) {
      io?.progress({ message: `stopping ${node} (pid ${pid})` });
      await stopProcess(pid);
      removed.push(`vm:${node}`);
    }
    await rm(paths.socket, { force: true });
  }
  for (const pid of qemuProcessesWith(`${dir}/`)) {
    io?.progress({ message: `stopping a qemu of the cycle without pid file (pid ${pid})` });
    await stopProcess(pid);
    removed.push(`vm:pid-${pid}`);
  }
  await rm(dir, { recursive: true, force: true });
  return removed;
}

/** teardown (local): nothing of the cycle keeps running; succeeds when it is already gone. */
export async function localTeardown(input: TeardownInput, io: StepIO, deps: LocalDeps): Promise<TeardownOutput> {
  const removed = await stopCycleVms(deps, input.ctx.cycleId, io);
  return { removed };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
