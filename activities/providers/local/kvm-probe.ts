import { constants } from 'node:fs';
import { access, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StepIO } from '../../../src/domain/contract';
import { runTool } from '../../exec/run-tool';
import type { LocalDeps } from './deps';
import { READY_MARKER, guestAppend, qemuBinary, readFrom, type Accel } from './qemu';

/** What the probe decided, and why (shown in provision details and docs). */
export interface AccelChoice {
  accel: Accel;
  /** `-cpu` model to use with it. */
  cpu: string;
  reason: string;
  /** When the probe ran (ISO time). */
  probedAt: string;
}

/** A probe result is trusted this long; KVM does not come and go within a cycle. */
const PROBE_TTL_MS = 60 * 60 * 1000;
/** A KVM guest prints its banner within a second; a hung KVM prints nothing. */
const BANNER_TIMEOUT_MS = 10_000;
/** ...and reaches the agent within seconds more. */
const READY_TIMEOUT_MS = 30_000;
const BANNER = 'Linux version';

/** The CPU model under TCG: `max` exposes every feature qemu can emulate. */
export const TCG_CPU = 'max';

let memo: AccelChoice | undefined;

/**
 * Decides between KVM and TCG by booting the cycle's own kernel under KVM for a few seconds:
 * `/dev/kvm` existing is not enough (on some hosts `-enable-kvm` hangs). Absent or
 * inaccessible `/dev/kvm` means TCG without a probe. The result is kept for the process and,
 * for an hour, in `<stateDir>/kvm-probe.json`. `$RCDEBUG_ACCEL=kvm|tcg` skips the probe.
 */
export async function chooseAccel(deps: Pick<LocalDeps, 'stateDir'>, kernel: string, initrd: string, io?: StepIO): Promise<AccelChoice> {
  const forced = process.env.RCDEBUG_ACCEL;
  if (forced === 'kvm' || forced === 'tcg') {
    return { accel: forced, cpu: forced === 'kvm' ? 'qemu64' : TCG_CPU, reason: `forced by RCDEBUG_ACCEL=${forced}`, probedAt: new Date().toISOString() };
  }
  if (memo && Date.now() - Date.parse(memo.probedAt) < PROBE_TTL_MS) return memo;
  const cacheFile = join(deps.stateDir, 'kvm-probe.json');
  try {
    const cached = JSON.parse(await readFile(cacheFile, 'utf8')) as AccelChoice;
    if (Date.now() - Date.parse(cached.probedAt) < PROBE_TTL_MS) return (memo = cached);
  } catch {
    // no cached probe yet
  }
  const choice = await probe(deps, kernel, initrd, io);
  await mkdir(deps.stateDir, { recursive: true });
  await writeFile(cacheFile, JSON.stringify(choice, null, 2));
  return (memo = choice);
}

/** Forgets the in-process probe result (tests). */
export function forgetAccelChoice(): void {
  memo = undefined;
}

/** CPU models a KVM guest is tried with: `host` first; some nested hosts refuse its MSRs. */
const KVM_CPUS = ['host', 'qemu64'];

async function probe(deps: Pick<LocalDeps, 'stateDir'>, kernel: string, initrd: string, io?: StepIO): Promise<AccelChoice> {
  const probedAt = new Date().toISOString();
  try {
    await access('/dev/kvm', constants.R_OK | constants.W_OK);
  } catch {
    return { accel: 'tcg', cpu: TCG_CPU, reason: '/dev/kvm is missing or not accessible', probedAt };
  }
  const reasons: string[] = [];
  for (const cpu of KVM_CPUS) {
    const outcome = await bootUnderKvm(deps, kernel, initrd, cpu, io);
    if (outcome.ok) return { accel: 'kvm', cpu, reason: outcome.reason, probedAt };
    reasons.push(`-cpu ${cpu}: ${outcome.reason}`);
  }
  return { accel: 'tcg', cpu: TCG_CPU, reason: `KVM does not boot a guest here (${reasons.join('; ')})`, probedAt };
}

/** One short boot of the cycle's kernel under KVM with a CPU model. */
async function bootUnderKvm(
  deps: Pick<LocalDeps, 'stateDir'>,
  kernel: string,
  initrd: string,
  cpu: string,
  io?: StepIO,
): Promise<{ ok: boolean; reason: string }> {
  const dir = join(deps.stateDir, `kvm-probe-${process.pid}-${cpu}`);
  await mkdir(dir, { recursive: true });
  const consoleFile = join(dir, 'console.log');
  const stop = new AbortController();
  const signal = io ? AbortSignal.any([io.signal, stop.signal]) : stop.signal;
  const run = runTool({
    cmd: qemuBinary(),
    args: [
      '-accel', 'kvm', '-cpu', cpu, '-m', '512', '-smp', '1',
      '-kernel', kernel, '-initrd', initrd, '-append', guestAppend('', 'kvm'),
      '-no-reboot', '-nodefaults', '-display', 'none', '-serial', `file:${consoleFile}`,
    ],
    logFile: join(dir, 'qemu.log'),
    io: { progress: (p) => io?.progress({ message: `KVM probe: ${p.message}` }), signal, attempt: io?.attempt ?? 1 },
    timeoutMs: READY_TIMEOUT_MS + 10_000,
  }).then(
    () => 'exited' as const,
    () => 'exited' as const,
  );
  const started = Date.now();
  let outcome: { ok: boolean; reason: string };
  for (;;) {
    const text = await readFrom(consoleFile, 0);
    const elapsed = Date.now() - started;
    if (text.includes(READY_MARKER)) {
      outcome = { ok: true, reason: `a KVM guest (-cpu ${cpu}) reached the agent in ${elapsed} ms` };
      break;
    }
    const exited = await Promise.race([run, new Promise<undefined>((r) => setTimeout(() => r(undefined), 250))]);
    if (exited) {
      outcome = { ok: false, reason: 'qemu exited before the guest was ready' };
      break;
    }
    if (!text.includes(BANNER) && elapsed > BANNER_TIMEOUT_MS) {
      outcome = { ok: false, reason: `the guest printed nothing in ${BANNER_TIMEOUT_MS / 1000} s` };
      break;
    }
    if (elapsed > READY_TIMEOUT_MS) {
      outcome = { ok: false, reason: `the guest did not reach the agent in ${READY_TIMEOUT_MS / 1000} s` };
      break;
    }
  }
  stop.abort();
  // A qemu stuck inside KVM may not even die at once on SIGKILL: do not wait for it forever.
  await Promise.race([run, new Promise((r) => setTimeout(r, 15_000))]);
  await rm(dir, { recursive: true, force: true });
  if (io?.signal.aborted) throw io.signal.reason ?? new Error('cancelled');
  return outcome;
}
