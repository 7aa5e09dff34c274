import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { LogHarvestInput, LogHarvestOutput, StepIO } from '../../../src/domain/contract';
import { harvestReport } from '../../harvest-report';
import type { LocalDeps } from './deps';
import { consolePath } from './cluster-provision';
import { clusterPlan, type ClusterPlan } from './node-plan';
import { handBootCommand, type Accel } from './qemu';
import { safeId } from './vm-state';

/**
 * log-harvest (local): every node's console log (kernel reports and the kmemleak output the
 * scans printed there) → the findings engine → Markdown, JSON and JUnit reports under
 * `<cycle>/reports/`. Each finding carries how to reproduce it: kernel digest, image, module
 * version, and the qemu command that boots that exact image by hand.
 */
export async function localLogHarvest(input: LogHarvestInput, io: StepIO, deps: LocalDeps): Promise<LogHarvestOutput> {
  const { ctx } = input;
  const plan = await clusterPlan(ctx);
  const nodeNames = input.cluster?.nodes.map((n) => n.name) ?? plan.nodes.map((n) => n.name);
  const sources = nodeNames
    .map((node) => ({ node, path: consolePath(deps, ctx.cycleId, node) }))
    .filter((s) => existsSync(s.path))
    .map((s) => ({ ...s, cloud: ctx.cloud, artifact: pathToFileURL(s.path).href }));
  io.progress({ message: `analysing ${sources.length} console log(s)` });
  return harvestReport({
    input,
    sources,
    nodes: nodeNames,
    artifacts: deps.artifacts,
    reportBase: `${safeId(ctx.cycleId)}/reports`,
    commands: bootCommands(input, plan),
  });
}

/** Shell commands that boot the cycle's image by hand with the same kernel, args and size. */
function bootCommands(input: LogHarvestInput, plan: ClusterPlan): string[] {
  const d = input.cluster?.details;
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
  return [
    '# boot the image; a shell opens on this terminal (Ctrl-A X quits qemu)',
    cmd,
    '# then, in the guest, what the node ran:',
    ...plan.nodes.flatMap((n) => [
      ...n.modules.map((m) => `insmod $(find / -xdev -name ${m.name}.ko) ${m.params.join(' ')}   # ${n.name}`.replace(/ {2,}#/, '   #')),
      ...(n.workload.trigger ? [`echo 1 > ${n.workload.trigger}   # ${n.name}: the workload's trigger`] : []),
    ]),
    '# kmemleak double scan: echo scan > /sys/kernel/debug/kmemleak; sleep 5; echo scan > /sys/kernel/debug/kmemleak; cat /sys/kernel/debug/kmemleak',
  ];
}
