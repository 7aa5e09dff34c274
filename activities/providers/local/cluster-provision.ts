import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import type { ArtifactRef, ClusterProvisionInput, ClusterProvisionOutput, NodeInfo, StepIO } from '../../../src/domain/contract';
import { InfraError, UserError } from '../../../src/domain/errors';
import { envNumber } from '../../env-number';
import { runTool } from '../../exec/run-tool';
import type { LocalDeps } from './deps';
import { errorCmdline } from './kernel-flavor';
import { guestBound } from './guest-bound';
import { guestCommand } from './guest-channel';
import { chooseAccel } from './kvm-probe';
import { clusterPlan, type ClusterPlan } from './node-plan';
import { consoleShowsPanic } from '../../../src/domain/findings/index';
import { READY_MARKER, fileSize, guestAppend, guestCpus, qemuArgs, qemuBinary, readFrom, waitForConsole, type VmSpec } from './qemu';
import { stopCycleVms, stopProcess } from './teardown';
import { consoleKey, processArgs, readPid, safeId, vmPaths } from './vm-state';

/** Seconds a guest has to reach its agent; TCG boots of a debug kernel are slow. */
export function bootTimeoutSeconds(accel: 'kvm' | 'tcg'): number {
  return envNumber('RCDEBUG_BOOT_TIMEOUT_S', accel === 'kvm' ? 60 : 240);
}

/** A local path from an artifact reference or a plain path. */
export function localFile(ref: ArtifactRef): string {
  return ref.startsWith('file:') ? fileURLToPath(ref) : ref;
}

/** The path where a node's console log artifact lives (the local artifact store only). */
export function consolePath(deps: LocalDeps, cycleId: string, node: string): string {
  if (!deps.artifacts.localPath) {
    throw new InfraError('the local cloud needs a local artifact store: qemu writes the consoles into it directly');
  }
  return deps.artifacts.localPath(consoleKey(cycleId, node));
}

/**
 * cluster-provision (local): one qemu VM per node of the manifest's `local` section, KVM when a
 * probe boot works and TCG otherwise. Each VM's console (ttyS0) goes to its console artifact,
 * its control channel (ttyS1) to a unix socket, its pid to a pid file. A VM of this cycle and
 * node that already runs with the same command line is reused. The step returns once every
 * guest agent is ready; a guest that does not get there is an InfraError, and then no VM of the
 * cycle is left running.
 */
export async function localClusterProvision(input: ClusterProvisionInput, io: StepIO, deps: LocalDeps): Promise<ClusterProvisionOutput> {
  return provisionNodes(input, await clusterPlan(input.ctx), io, deps);
}

/** The VMs of a plan (the cycle's cluster, or validateMain's single node), booted as above. */
export async function provisionNodes(input: ClusterProvisionInput, plan: Pick<ClusterPlan, 'memoryMiB' | 'cpus' | 'nodes'>, io: StepIO, deps: LocalDeps, extraArgs: string[] = []): Promise<ClusterProvisionOutput> {
  const { ctx } = input;
  const kernel = localFile(input.kernel.artifacts.kernel);
  const initrd = localFile(input.image.imageId);
  for (const [what, file] of [['kernel', kernel], ['initramfs', initrd]] as const) {
    if (!existsSync(file)) throw new InfraError(`the ${what} ${file} of this cycle is gone: rerun kernel-build and image-bake`);
  }
  const accel = await chooseAccel(deps, kernel, initrd, io);
  const append = guestAppend([...(await errorCmdline(ctx.flavor, ctx.onKernelError, ctx.panicOnWarn)), ...extraArgs].join(' '), accel.accel);
  const timeoutMs = bootTimeoutSeconds(accel.accel) * 1000;

  try {
    const nodes = await Promise.all(
      plan.nodes.map(async (node): Promise<NodeInfo> => {
        const paths = vmPaths(deps, ctx.cycleId, node.name);
        const consoleFile = consolePath(deps, ctx.cycleId, node.name);
        const spec: VmSpec = {
          name: `rcdebug:${safeId(ctx.cycleId)}:${node.name}`,
          kernel,
          initrd,
          append,
          memoryMiB: plan.memoryMiB,
          cpus: plan.cpus,
          accel: accel.accel,
          cpu: accel.cpu,
          consoleFile,
          socket: paths.socket,
          pidFile: paths.pidFile,
        };
        const args = qemuArgs(spec);
        const pid = readPid(paths.pidFile);
        const running = pid === undefined ? undefined : processArgs(pid);
        let bootedPid = pid;
        let reused = false;
        if (pid !== undefined && running && sameArgs(running.slice(1), args) && (await answers(paths.socket, timeoutMs, io))) {
          reused = true;
          io.progress({ message: `${node.name}: already running (pid ${pid})` });
        } else {
          if (pid !== undefined && running?.includes(paths.pidFile)) await stopProcess(pid);
          bootedPid = await startVm(spec, args, paths, node.name, io, timeoutMs);
        }
        return {
          name: node.name,
          console: pathToFileURL(consoleFile).href,
          details: {
            pid: String(bootedPid),
            socket: paths.socket,
            accel: accel.accel,
            reused: String(reused),
            cpus: String(await checkedGuestCpus(consoleFile, node.name, plan.cpus)),
          },
        };
      }),
    );
    return {
      clusterId: safeId(ctx.cycleId),
      nodes,
      details: {
        accel: accel.accel,
        cpu: accel.cpu,
        accelReason: accel.reason,
        memoryMiB: String(plan.memoryMiB),
        // What the guests brought up (each node checked against what was asked).
        cpus: [...new Set(nodes.map((n) => n.details?.cpus))].join(','),
        cpusAsked: String(plan.cpus),
        append,
        kernel,
        initrd,
      },
    };
  } catch (err) {
    // A half-built cluster is never left behind: the workflow registers teardown only once
    // this step succeeded, and a retry starts from nothing.
    await stopCycleVms(deps, ctx.cycleId);
    throw err;
  }
}

async function startVm(
  spec: VmSpec,
  args: string[],
  paths: ReturnType<typeof vmPaths>,
  node: string,
  io: StepIO,
  timeoutMs: number,
): Promise<number> {
  await mkdir(paths.dir, { recursive: true });
  await rm(paths.pidFile, { force: true });
  await rm(paths.socket, { force: true });
  await writeFile(paths.argsFile, `${[qemuBinary(), ...args].join('\n')}\n`);
  const offset = await fileSize(spec.consoleFile);
  await mkdir(dirname(spec.consoleFile), { recursive: true });
  io.progress({ message: `${node}: starting qemu (${spec.accel})` });
  // -daemonize returns once the VM runs, so this is quick; the boot is awaited below.
  await runTool({ cmd: qemuBinary(), args, logFile: paths.qemuLog, io, timeoutMs: 60_000 });
  const pid = readPid(paths.pidFile);
  if (pid === undefined) throw new InfraError(`qemu for ${node} started but wrote no pid file (log: ${paths.qemuLog})`);
  const bound = guestBound(timeoutMs / 1000, pid);
  const outcome = await waitForConsole(spec.consoleFile, READY_MARKER, {
    bound,
    fromOffset: offset,
    alive: () => processArgs(pid) !== undefined,
    io,
    label: node,
  });
  if (outcome === 'found') return pid;
  const tail = (await readFrom(spec.consoleFile, offset)).split('\n').slice(-15).join('\n');
  const panicked = consoleShowsPanic(tail);
  const why =
    outcome === 'timeout'
      ? `did not reach its agent within ${bound.describe()}`
      : panicked
        ? 'panicked while booting'
        : 'exited while booting';
  throw new InfraError(`VM ${node} never booted: it ${why} (console: ${spec.consoleFile})\n${tail}`);
}

/**
 * The CPUs a booted guest brought up, read from its console. Fewer than asked is a kernel
 * that cannot see qemu's vCPUs (e.g. built without ACPI, so it reads only the firmware's MP
 * table, which names the boot CPU alone): a cycle on it would not test what it claims.
 */
async function checkedGuestCpus(consoleFile: string, node: string, asked: number): Promise<number> {
  const seen = guestCpus(await readFrom(consoleFile, 0));
  if (seen === undefined) throw new InfraError(`VM ${node} booted but its console shows no "smp: Brought up" line (console: ${consoleFile})`);
  if (seen < asked) {
    throw new UserError(
      `VM ${node} was given ${asked} vCPUs but its kernel brought up ${seen} (console: ${consoleFile})`,
      'local.cpus',
      'build the local kernel with CONFIG_ACPI=y (kernel/base/qemu-guest.config), or ask for fewer cpus',
    );
  }
  return seen;
}

/** Whether a running VM's agent answers: a VM reused from an earlier attempt must be up. */
async function answers(socket: string, timeoutMs: number, io: StepIO): Promise<boolean> {
  try {
    await guestCommand(socket, 'ping', { timeoutMs, io });
    return true;
  } catch {
    return false;
  }
}

function sameArgs(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
