import { join } from 'node:path';
import type { NodeInfo, SoakCheckInput, SoakCheckOutput, StepIO } from '../../../src/domain/contract';
import { InfraError } from '../../../src/domain/errors';
import { checkSoak, type NodeState, type SoakNodes } from '../../steps/soak-check';
import type { GcpDeps } from './deps';
import { SCAN_DONE, requestScan } from './kmemleak';
import { listNodes, secretAccess, type KubeNode } from './kube';
import { groupInstances } from './nodes';
import { readSerial, storeChunk, type SerialTarget } from './serial-console';
import { safeName, withStep, type GcpStep } from './step-context';

const targetOf = (s: GcpStep, n: NodeInfo): SerialTarget => ({ project: n.details?.project ?? s.project, zone: n.details?.zone ?? s.zone, instance: n.details?.instance ?? n.name });

/**
 * The gcp cloud's side of the soak check. A node's console is its serial port read from the
 * check's offset, each piece kept in Cloud Storage (see serial-console.ts: the 1 MB ring loses
 * nothing read in time). Its state comes from the Kubernetes API (Ready on the debug kernel)
 * and the managed instance group. A scan rolls the kmemleak DaemonSet and waits for each node
 * to print its result to the console. A node the group is recreating ends the soak.
 */
export function gcpSoakNodes(input: SoakCheckInput, s: GcpStep, deps: GcpDeps): SoakNodes {
  const { ctx, cluster } = input;
  const read = async (node: NodeInfo, from: number) => {
    const piece = await readSerial(s.clients, targetOf(s, node), from);
    if (!piece) return { bytes: Buffer.alloc(0), start: from };
    await storeChunk(s.bucket, safeName(ctx.cycleId), node.name, piece);
    return piece;
  };
  return {
    console: read,
    async states(nodes) {
      const kernelRelease = cluster.details.kernelRelease ?? '';
      let kube: KubeNode[] | undefined;
      let why = '';
      try {
        kube = await listNodes(await secretAccess(s.clients, cluster.details.kubeconfigSecret ?? ''));
      } catch (err) {
        why = (err as Error).message.slice(0, 120);
      }
      const group = await groupInstances(s.clients, s.zone, cluster.details.workloadGroup ?? '');
      const out = new Map<string, NodeState>();
      for (const node of nodes) {
        const inst = group.find((i) => i.name === targetOf(s, node).instance);
        const k = kube?.find((n) => n.name === node.name);
        if (!inst || inst.status !== 'RUNNING') {
          out.set(node.name, { up: false, healthy: false, detail: `instance ${node.name} is ${inst ? `${inst.status} (${inst.action})` : 'gone from its group'}` });
        } else if (k) {
          const right = !kernelRelease || k.kernelVersion === kernelRelease;
          out.set(node.name, { up: true, healthy: k.ready && right, detail: `${k.ready ? 'Ready' : 'NotReady'}, kernel ${k.kernelVersion}${right ? '' : ` (expected ${kernelRelease})`}` });
        } else {
          out.set(node.name, { up: true, healthy: false, detail: `instance RUNNING but not a Kubernetes node${why ? ` (Kubernetes API: ${why})` : ''}` });
        }
      }
      return out;
    },
    async scan(nodes, io: StepIO) {
      const scanId = `${safeName(ctx.cycleId, 40)}-${input.tick}`;
      const from = new Map<string, number>();
      for (const n of nodes) from.set(n.name, (await readSerial(s.clients, targetOf(s, n), Number.MAX_SAFE_INTEGER))?.next ?? 0);
      await requestScan(await secretAccess(s.clients, cluster.details.kubeconfigSecret ?? ''), scanId);
      const out = new Map<string, string>();
      const deadline = Date.now() + (deps.options.kmemleakWaitSeconds * 2 + 300) * 1000;
      while (out.size < nodes.length) {
        for (const n of nodes) {
          if (out.has(n.name)) continue;
          const piece = await read(n, from.get(n.name) ?? 0);
          from.set(n.name, piece.start + piece.bytes.length);
          const done = [...piece.bytes.toString('utf8').matchAll(new RegExp(SCAN_DONE.source, 'gm'))].find((m) => m[1] === scanId);
          if (done) out.set(n.name, done[2] ?? '');
        }
        if (out.size === nodes.length) break;
        if (io.signal.aborted) throw new InfraError('the kmemleak scan was stopped: the step was cancelled');
        if (Date.now() > deadline) throw new InfraError(`the kmemleak DaemonSet printed no result for scan ${scanId} on ${nodes.filter((n) => !out.has(n.name)).map((n) => n.name).join(', ')}: the check will be retried`);
        io.progress({ message: `kmemleak scan ${scanId}: ${out.size}/${nodes.length} nodes done` });
        await new Promise((r) => setTimeout(r, deps.pollMs ?? 5_000));
      }
      return out;
    },
    lostNode: 'ends-soak',
    marksDir: join(deps.options.stateDir, 'soak', safeName(ctx.cycleId)),
  };
}

/** soak-check (gcp): the neutral soak check over the cycle's workload nodes. A panic is a result, never an error. */
export function gcpSoakCheck(input: SoakCheckInput, io: StepIO, deps: GcpDeps): Promise<SoakCheckOutput> {
  return withStep(input.ctx, deps, (s) => checkSoak(input, io, gcpSoakNodes(input, s, deps)));
}
