import { open } from 'node:fs/promises';
import type { NodeInfo, SoakCheckInput, SoakCheckOutput, StepIO } from '../../../src/domain/contract';
import { checkSoak, type ConsolePiece, type NodeState, type SoakNodes } from '../../steps/soak-check';
import type { LocalDeps } from './deps';
import { GuestCommandError, guestCommand } from './guest-channel';
import { consolePath } from './cluster-provision';
import { cycleStateDir, processArgs, readPid, vmPaths } from './vm-state';

const PING_TIMEOUT_MS = 30_000;
/** A kmemleak scan walks all of memory; under TCG that takes a while, twice. */
const SCAN_TIMEOUT_MS = 300_000;
/** Seconds between the two scans of a double scan. */
export const SCAN_PAUSE_S = 5;

/**
 * The bytes of a console file from `from` on. A restarted VM appends to its file, so the
 * offsets go on; a file shorter than `from` was replaced and is read from its start.
 */
export async function consoleFileFrom(file: string, from: number): Promise<ConsolePiece> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch {
    return { bytes: Buffer.alloc(0), start: from };
  }
  try {
    const { size } = await fh.stat();
    const start = size < from ? 0 : from;
    const bytes = Buffer.alloc(size - start);
    await fh.read(bytes, 0, bytes.length, start);
    return { bytes, start };
  } finally {
    await fh.close();
  }
}

/**
 * The local cloud's side of the soak check: a node's console is the file qemu writes; it is
 * up while its qemu process lives and healthy while its guest agent answers a ping; a scan is
 * the agent's `scan` command, whose report lands on the console. A VM that is gone without a
 * panic on its console is an InfraError: nothing but the kernel or this worker stops it.
 */
export function localSoakNodes(input: SoakCheckInput, deps: LocalDeps): SoakNodes {
  const { ctx } = input;
  const paths = (node: NodeInfo) => vmPaths(deps, ctx.cycleId, node.name);
  return {
    console: (node, from) => consoleFileFrom(consolePath(deps, ctx.cycleId, node.name), from),
    async states(nodes, io) {
      const entries = await Promise.all(nodes.map(async (node): Promise<[string, NodeState]> => {
        const p = paths(node);
        const pid = readPid(p.pidFile);
        // A stale pid file may name a pid the system gave to something else since: check it is ours.
        if (pid === undefined || !(processArgs(pid)?.includes(p.pidFile) ?? false)) {
          return [node.name, { up: false, healthy: false, detail: `no qemu process (pid file ${p.pidFile})` }];
        }
        try {
          io.progress({ message: `check ${input.tick}: ${node.name}: ping` });
          const uptime = await guestCommand(p.socket, 'ping', { timeoutMs: PING_TIMEOUT_MS, io });
          return [node.name, { up: true, healthy: true, detail: `up ${uptime} s` }];
        } catch (err) {
          return [node.name, { up: true, healthy: false, detail: `agent silent: ${(err as Error).message}` }];
        }
      }));
      return new Map(entries);
    },
    async scan(nodes, io) {
      const entries = await Promise.all(nodes.map(async (node): Promise<[string, string]> => {
        try {
          return [node.name, await guestCommand(paths(node).socket, `scan ${SCAN_PAUSE_S}`, { timeoutMs: SCAN_TIMEOUT_MS, io })];
        } catch (err) {
          if (!(err instanceof GuestCommandError)) throw err;
          return [node.name, `scan failed: ${err.reply}`];
        }
      }));
      return new Map(entries);
    },
    lostNode: 'infra-error',
    marksDir: cycleStateDir(deps, ctx.cycleId),
  };
}

/**
 * soak-check (local): the neutral soak check over the cycle's qemu VMs: a kernel panic on a
 * console is a finding (`panicked`), never an error; with `scan`, a kmemleak double scan.
 */
export function localSoakCheck(input: SoakCheckInput, io: StepIO, deps: LocalDeps): Promise<SoakCheckOutput> {
  return checkSoak(input, io, localSoakNodes(input, deps));
}
