import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalDeps } from './deps';

/** Longest unix socket path the kernel accepts (sun_path is 108 bytes with its NUL). */
const MAX_SOCKET_PATH = 107;

/** Where one VM of a cycle keeps its run state. */
export interface VmPaths {
  /** `<stateDir>/<cycle>/`: every VM of the cycle has its files here. */
  dir: string;
  /** Written by qemu (`-pidfile`). */
  pidFile: string;
  /** The control channel (ttyS1): a unix socket qemu listens on. */
  socket: string;
  /** The qemu command line that started the VM, one argument per line (idempotent provision). */
  argsFile: string;
  /** qemu's own stdout/stderr while it starts. */
  qemuLog: string;
}

/** A cycle id made safe for a path segment (workflow ids may hold `/` or spaces). */
export function safeId(cycleId: string): string {
  return cycleId.replace(/[^A-Za-z0-9._-]/g, '_');
}

export function cycleStateDir(deps: Pick<LocalDeps, 'stateDir'>, cycleId: string): string {
  return join(deps.stateDir, safeId(cycleId));
}

export function vmPaths(deps: Pick<LocalDeps, 'stateDir'>, cycleId: string, node: string): VmPaths {
  const dir = cycleStateDir(deps, cycleId);
  let socket = join(dir, `${node}.sock`);
  // Deep state dirs and long cycle ids overflow sun_path; fall back to a short, stable name.
  if (Buffer.byteLength(socket) > MAX_SOCKET_PATH) {
    socket = join(tmpdir(), `rcdebug-${createHash('sha256').update(socket).digest('hex').slice(0, 16)}.sock`);
  }
  return {
    dir,
    pidFile: join(dir, `${node}.pid`),
    socket,
    argsFile: join(dir, `${node}.args`),
    qemuLog: join(dir, `${node}.qemu.log`),
  };
}

/** The artifact key of a node's console log. */
export function consoleKey(cycleId: string, node: string): string {
  return `${safeId(cycleId)}/consoles/${node}.log`;
}

/** The pid in a pid file, or undefined when there is none. */
export function readPid(pidFile: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(pidFile, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The argv of a live process, or undefined when it is gone (or a zombie). */
export function processArgs(pid: number): string[] | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (!raw) return undefined;
    return raw.replace(/\0$/, '').split('\0');
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  return processArgs(pid) !== undefined;
}

/** Nodes of a cycle that have a pid file, with their pid when it is readable. */
export function cycleVms(deps: Pick<LocalDeps, 'stateDir'>, cycleId: string): { node: string; pid: number | undefined }[] {
  const dir = cycleStateDir(deps, cycleId);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.pid'))
    .map((f) => {
      const node = f.slice(0, -'.pid'.length);
      return { node, pid: readPid(join(dir, f)) };
    });
}

/** Pids of running qemu processes whose command line contains `text` (e.g. a cycle's state dir). */
export function qemuProcessesWith(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const args = processArgs(Number(entry));
    if (args?.[0]?.includes('qemu-system') && args.some((a) => a.includes(text))) pids.push(Number(entry));
  }
  return pids;
}
