import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LogHarvestInput, LogHarvestOutput, StepIO } from '../../../src/domain/contract';
import { harvestLogs, type ConsoleSources } from '../../steps/log-harvest';
import type { LocalDeps } from './deps';
import { consolePath } from './cluster-provision';
import { clusterPlan, type ClusterPlan } from './node-plan';
import { handBootCommand, type Accel } from './qemu';
import { cycleStateDir, safeId } from './vm-state';
import { localDebugBinaries } from './debug-binaries';

/**
 * The console sources of a local cycle: every node's console log (kernel reports and the
 * kmemleak output the scans printed there), a file qemu writes into the artifact store; and
 * how to reproduce a finding: the qemu command that boots that exact image by hand.
 */
export async function localConsoleSources(input: LogHarvestInput, deps: LocalDeps): Promise<ConsoleSources> {
  const { ctx } = input;
  const plan = await clusterPlan(ctx);
  const nodes = input.cluster?.nodes.map((n) => n.name) ?? plan.nodes.map((n) => n.name);
  const sources = nodes
    .map((node) => ({ node, file: consolePath(deps, ctx.cycleId, node) }))
    .filter((s) => existsSync(s.file))
    .map((s) => ({ ...s, artifact: pathToFileURL(s.file).href }));
  const base = safeId(ctx.cycleId);
  return { sources, nodes, artifacts: deps.artifacts, base, workDir: join(cycleStateDir(deps, ctx.cycleId), 'harvest'), commands: bootCommands(input, plan), debug: localDebugBinaries(input) };
}

/** log-harvest (local): the nodes' consoles through the neutral log-harvest step. */
export async function localLogHarvest(input: LogHarvestInput, io: StepIO, deps: LocalDeps): Promise<LogHarvestOutput> {
  return harvestLogs(input, io, await localConsoleSources(input, deps));
}

/** The qemu command that boots a provisioned image by hand (same kernel, args, size), with a shell on the terminal. */
export function handBootLines(d: Record<string, string> | undefined): string[] {
  if (!d?.kernel || !d.initrd) return [];
  const cmd = handBootCommand({
    name: 'repro',
    kernel: d.kernel,
    initrd: d.initrd,
    append: `${d.append ?? ''} rcdebug.shell`.trim(),
    memoryMiB: Number(d.memoryMiB ?? 1024),
    cpus: Number(d.cpus ?? 1),
    accel: (d.accel ?? 'tcg') as Accel,
    cpu: d.cpu,
  });
  return ['# boot the image; a shell opens on this terminal (Ctrl-A X quits qemu)', cmd];
}

/** Shell commands that boot the cycle's image by hand with the same kernel, args and size. */
function bootCommands(input: LogHarvestInput, plan: ClusterPlan): string[] {
  const boot = handBootLines(input.cluster?.details);
  if (!boot.length) return [];
  return [
    ...boot,
    '# then, in the guest, what the node ran:',
    ...plan.nodes.flatMap((n) => [
      ...n.modules.map((m) => `insmod $(find / -xdev -name ${m.name}.ko) ${m.params.join(' ')}   # ${n.name}`.replace(/ {2,}#/, '   #')),
      ...(n.workload.trigger ? [`echo 1 > ${n.workload.trigger}   # ${n.name}: the workload's trigger`] : []),
    ]),
    '# kmemleak double scan: echo scan > /sys/kernel/debug/kmemleak; sleep 5; echo scan > /sys/kernel/debug/kmemleak; cat /sys/kernel/debug/kmemleak',
  ];
}
