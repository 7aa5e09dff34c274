import { readFileSync } from 'node:fs';
import { qemuProcessesWith } from './vm-state';

/**
 * How long the local cloud waits for a guest (its boot, an agent's answer).
 *
 * A TCG guest is CPU-bound. On a host busy with other VMs, builds or a noisy neighbour it gets
 * a fraction of a core, and a bound in plain seconds then fails guests that are only slow: two
 * test files of VMs side by side on two cores made a kmemleak scan miss its 300 s and a boot its
 * 240 s. So a bound is `seconds` of qemu's CPU time, as a guest with a core of its own would
 * have had them: past `seconds` on the clock, the wait goes on while qemu's CPU time since the
 * start is under `seconds`, and ends at `MAX_STRETCH` times `seconds` whatever happens, so a
 * guest stuck idle still ends. A guest busy and stuck (a livelock) ends at `seconds` as before.
 */
export interface GuestBound {
  /** Whether the wait is over. */
  expired(): boolean;
  /** The bound for a message: `300 s`, or `300 s (stretched to 612 s: qemu had 0.31 of a core)`. */
  describe(): string;
}

/** A bound ends at this many times its seconds at the latest. */
export const MAX_STRETCH = 4;
/** Clock ticks per second of the times in /proc/<pid>/stat: USER_HZ, 100 in Linux's ABI. */
const USER_HZ = 100;

/** CPU seconds a process has used (user and system), or undefined when it is gone. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "pid (comm) ": state is the first, utime the 12th, stime the 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks / USER_HZ : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A bound of `seconds` for the guest whose qemu is `pid`; with no pid (no VM behind the
 * channel, as in the agent's host-side tests) it is `seconds` on the clock.
 */
export function guestBound(seconds: number, pid?: number, cpuOf: (pid: number) => number | undefined = cpuSeconds, now: () => number = Date.now): GuestBound {
  const started = now();
  const cpuAtStart = pid === undefined ? undefined : cpuOf(pid);
  let stretched: { wall: number; share: number } | undefined;
  return {
    expired() {
      const wall = (now() - started) / 1000;
      if (wall < seconds) return false;
      if (pid === undefined || cpuAtStart === undefined || wall >= seconds * MAX_STRETCH) return true;
      const cpu = cpuOf(pid);
      if (cpu === undefined) return true;
      if (cpu - cpuAtStart >= seconds) return true;
      stretched = { wall, share: (cpu - cpuAtStart) / wall };
      return false;
    },
    describe() {
      if (!stretched) return `${seconds} s`;
      return `${seconds} s (stretched to ${Math.round(stretched.wall)} s: qemu had ${stretched.share.toFixed(2)} of a core)`;
    },
  };
}

/** The bound for a guest reached through its control socket: the qemu serving that socket. */
export function boundForSocket(seconds: number, socket: string): GuestBound {
  return guestBound(seconds, qemuProcessesWith(`path=${socket},`)[0]);
}
