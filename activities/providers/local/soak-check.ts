import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NodeHealth, NodeInfo, SoakCheckInput, SoakCheckOutput, StepIO } from '../../../src/domain/contract';
import { InfraError } from '../../../src/domain/errors';
import type { LocalDeps } from './deps';
import { GuestCommandError, guestCommand } from './guest-channel';
import { consolePath } from './cluster-provision';
import { PANIC_MARKERS, fileSize, readFrom } from './qemu';
import { cycleStateDir, processArgs, readPid, vmPaths } from './vm-state';

const PING_TIMEOUT_MS = 30_000;
/** A kmemleak scan walks all of memory; under TCG that takes a while, twice. */
const SCAN_TIMEOUT_MS = 300_000;
/** Seconds between the two scans of a double scan. */
export const SCAN_PAUSE_S = 5;

/**
 * One soak health check (local): per node, is the VM process alive, did the kernel panic (a
 * finding: `panicked`, never an error), does the guest agent answer, did the console move; and
 * when `scan` is set, a kmemleak double scan whose report lands on the console. A VM that is
 * gone without a panic on its console is an InfraError.
 */
export async function localSoakCheck(input: SoakCheckInput, io: StepIO, deps: LocalDeps): Promise<SoakCheckOutput> {
  const { ctx, cluster } = input;
  const nodes = await Promise.all(cluster.nodes.map((node) => checkNode(node, input, io, deps)));
  const lost = nodes.filter((n) => n.detail.startsWith('gone'));
  if (lost.length > 0) {
    throw new InfraError(`VM ${lost.map((n) => n.name).join(', ')} of ${ctx.cycleId} stopped without a kernel panic: ${lost.map((n) => n.detail).join('; ')}`);
  }
  return { nodes, panicked: nodes.some((n) => n.panicked) };
}

async function checkNode(node: NodeInfo, input: SoakCheckInput, io: StepIO, deps: LocalDeps): Promise<NodeHealth> {
  const { ctx } = input;
  const paths = vmPaths(deps, ctx.cycleId, node.name);
  const consoleFile = consolePath(deps, ctx.cycleId, node.name);
  const pid = readPid(paths.pidFile);
  const alive = pid !== undefined && (processArgs(pid)?.includes(paths.pidFile) ?? false);
  const text = await readFrom(consoleFile, 0);
  const panicLine = text.split('\n').find((l) => PANIC_MARKERS.some((m) => l.includes(m)));
  if (panicLine) {
    return { name: node.name, healthy: false, panicked: true, detail: `kernel panic: ${panicLine.trim()}` };
  }
  if (!alive) {
    return { name: node.name, healthy: false, panicked: false, detail: `gone: no qemu process (pid file ${paths.pidFile})` };
  }
  const growth = await consoleGrowth(deps, ctx.cycleId, node.name, consoleFile);
  const parts = [`console +${growth} B`];
  let healthy = true;
  try {
    io.progress({ message: `check ${input.tick}: ${node.name}: ping` });
    const uptime = await guestCommand(paths.socket, 'ping', { timeoutMs: PING_TIMEOUT_MS, io });
    parts.unshift(`up ${uptime} s`);
  } catch (err) {
    healthy = false;
    parts.unshift(`agent silent: ${(err as Error).message}`);
  }
  if (input.scan && healthy) {
    io.progress({ message: `check ${input.tick}: ${node.name}: kmemleak double scan` });
    try {
      parts.push(`kmemleak ${await guestCommand(paths.socket, `scan ${SCAN_PAUSE_S}`, { timeoutMs: SCAN_TIMEOUT_MS, io })}`);
    } catch (err) {
      if (!(err instanceof GuestCommandError)) throw err;
      parts.push(`kmemleak scan failed: ${err.reply}`);
    }
  }
  // A scan may have been the last thing a dying kernel did: look for a panic once more.
  const after = await readFrom(consoleFile, Buffer.byteLength(text));
  const late = after.split('\n').find((l) => PANIC_MARKERS.some((m) => l.includes(m)));
  if (late) return { name: node.name, healthy: false, panicked: true, detail: `kernel panic: ${late.trim()}` };
  return { name: node.name, healthy, panicked: false, detail: parts.join(', ') };
}

/** Bytes the console grew since the previous check of this node. */
async function consoleGrowth(deps: LocalDeps, cycleId: string, node: string, consoleFile: string): Promise<number> {
  const mark = join(cycleStateDir(deps, cycleId), `${node}.console-size`);
  const size = await fileSize(consoleFile);
  const before = Number(await readFile(mark, 'utf8').catch(() => '0')) || 0;
  await writeFile(mark, String(size));
  return size - before;
}
