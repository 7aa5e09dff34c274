import { open, stat } from 'node:fs/promises';
import type { StepIO } from '../../../src/domain/contract';
import type { GuestBound } from './guest-bound';
import { resolveTool } from '../../../scripts/toolchain.mjs';

/** How the guest CPU runs: hardware virtualisation or qemu's translator. */
export type Accel = 'kvm' | 'tcg';

/** The ready marker the guest agent prints on the console once it listens on ttyS1. */
export const READY_MARKER = 'rcdebug-guest: ready';

/** Everything that makes one qemu VM. */
export interface VmSpec {
  /** Unique name in the host's process list, e.g. `<cycle>:<node>`. */
  name: string;
  kernel: string;
  initrd: string;
  /** Kernel command line. */
  append: string;
  memoryMiB: number;
  cpus: number;
  accel: Accel;
  /** `-cpu` model, when not qemu's default. */
  cpu?: string | undefined;
  /** ttyS0: the kernel console, written to this file. */
  consoleFile: string;
  /** ttyS1: the control channel, a unix socket qemu listens on. */
  socket: string;
  pidFile: string;
}

/** The qemu binary: `$RCDEBUG_QEMU`, else the one the toolchain resolved. */
export function qemuBinary(): string {
  return process.env.RCDEBUG_QEMU ?? resolveTool('qemu-system-x86_64').path;
}

/**
 * Boot arguments that silence the time-based detectors (soft lockup, RCU stall, hung task,
 * workqueue lockup). Under TCG a guest's vCPU is a host thread that an overloaded host
 * deschedules for seconds to minutes while the guest clock keeps running, so these detectors
 * report "lockups" that are the host's, never the kernel's: on a clean node they would be
 * false findings. Under KVM they stay on.
 */
export const TCG_QUIET_DETECTORS = [
  'nowatchdog',
  'rcupdate.rcu_cpu_stall_suppress=1',
  'workqueue.watchdog_thresh=0',
  'sysctl.kernel.hung_task_timeout_secs=0',
];

/**
 * Kernel boot arguments of a local guest: console on ttyS0, qemu exits on panic, and raw
 * pointers in reports (a TCG guest has no entropy early, so hashed pointers print as
 * `(____ptrval____)` and kmemleak backtraces lose their addresses); under TCG, no time-based
 * detectors (see TCG_QUIET_DETECTORS).
 */
export function guestAppend(flavorArgs: string, accel: Accel = 'tcg'): string {
  return ['console=ttyS0', 'panic=-1', 'no_hash_pointers', 'rdinit=/init', ...(accel === 'tcg' ? TCG_QUIET_DETECTORS : []), flavorArgs]
    .filter((a) => a.trim())
    .join(' ');
}

function machineArgs(spec: Omit<VmSpec, 'consoleFile' | 'socket' | 'pidFile'>): string[] {
  return [
    '-name', spec.name,
    '-accel', spec.accel,
    ...(spec.cpu ? ['-cpu', spec.cpu] : []),
    '-m', String(spec.memoryMiB),
    '-smp', String(spec.cpus),
    '-kernel', spec.kernel,
    '-initrd', spec.initrd,
    '-append', spec.append,
    '-no-reboot',
    '-nodefaults',
    '-display', 'none',
  ];
}

/** The arguments of a daemonized VM: console to a file, control socket, pid file. */
export function qemuArgs(spec: VmSpec): string[] {
  return [
    ...machineArgs(spec),
    // Order matters: the first -serial is ttyS0, the second ttyS1.
    // append=on: a restarted VM adds to its console log instead of wiping the earlier boot.
    '-chardev', `file,id=con,path=${spec.consoleFile},append=on`,
    '-serial', 'chardev:con',
    '-chardev', `socket,id=ctl,path=${spec.socket},server=on,wait=off`,
    '-serial', 'chardev:ctl',
    '-daemonize',
    '-pidfile', spec.pidFile,
  ];
}

/**
 * The command an engineer runs to boot the same image by hand, console on the terminal.
 * Arguments are quoted for a POSIX shell.
 */
export function handBootCommand(spec: Omit<VmSpec, 'consoleFile' | 'socket' | 'pidFile'>): string {
  // Run by hand, often on another machine: qemu from that machine's PATH, not this worker's path.
  const args = ['qemu-system-x86_64', ...machineArgs(spec).filter((a, i, all) => a !== '-name' && all[i - 1] !== '-name'), '-serial', 'mon:stdio', '-serial', 'null'];
  return args.map(shellQuote).join(' ');
}

/** Quotes one argument for a POSIX shell when it needs it. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=,+@%-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * The CPUs the guest kernel brought up, from its console (`smp: Brought up 1 node, 2 CPUs`,
 * the last boot's line when the console holds several); undefined when it printed none.
 */
export function guestCpus(consoleText: string): number | undefined {
  const all = [...consoleText.matchAll(/smp: Brought up \d+ nodes?, (\d+) CPUs?/g)];
  const last = all.at(-1);
  return last ? Number(last[1]) : undefined;
}

export type MarkerWait = 'found' | 'exited' | 'timeout';

/**
 * Waits until `file` contains `marker` after `fromOffset` (the guest is up), the VM process is gone, or the
 * bound expires; heartbeats through `io` meanwhile and gives up when the step is cancelled.
 */
export async function waitForConsole(
  file: string,
  marker: string,
  opts: { bound: GuestBound; alive: () => boolean; io?: StepIO; label: string; pollMs?: number; fromOffset?: number },
): Promise<MarkerWait> {
  const started = Date.now();
  const poll = opts.pollMs ?? 500;
  const seen = async () => (await readFrom(file, opts.fromOffset ?? 0)).includes(marker);
  for (;;) {
    if (await seen()) return 'found';
    if (!opts.alive()) return (await seen()) ? 'found' : 'exited';
    const elapsed = Date.now() - started;
    if (opts.bound.expired()) return 'timeout';
    if (opts.io?.signal.aborted) throw opts.io.signal.reason ?? new Error('cancelled');
    opts.io?.progress({ message: `${opts.label}: waiting for the guest (${Math.round(elapsed / 1000)} s)` });
    await new Promise((r) => setTimeout(r, poll));
  }
}

/** The text of a file from a byte offset; empty when the file does not exist yet. */
export async function readFrom(file: string, offset: number): Promise<string> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch {
    return '';
  }
  try {
    const { size } = await fh.stat();
    if (size <= offset) return '';
    const buf = Buffer.alloc(size - offset);
    await fh.read(buf, 0, buf.length, offset);
    return buf.toString('utf8');
  } finally {
    await fh.close();
  }
}

/** Size of a file in bytes, 0 when it does not exist. */
export async function fileSize(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}
