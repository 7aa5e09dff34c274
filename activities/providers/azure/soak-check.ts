import { join } from 'node:path';
import type { SoakCheckInput, SoakCheckOutput, StepIO } from '../../../src/domain/contract';
import { kmemleakScript } from '../../steps/kmemleak-scan';
import { checkSoak, pieceOf, type NodeState, type SoakNodes } from '../../steps/soak-check';
import type { AzureDeps } from './deps';
import { clusterAccess } from './deploy';
import { listNodes, type KubeNode } from '../../iac/kube-api';
import { vmssNode } from './nodes';
import { safeName, withStep, type AzureStep } from './step-context';
import { powerState, runShell, serialLog } from './vm-ops';

/**
 * The azure cloud's side of the soak check: a node's console is its serial log from boot
 * diagnostics; its state comes from the Kubernetes API (Ready on the debug kernel release),
 * else from the scale set's instance view; a scan is a Run Command on each node. A node whose
 * VM is gone ends the soak: the scale set may have replaced it, and its serial log went with it.
 */
export function azureSoakNodes(input: SoakCheckInput, s: AzureStep, deps: AzureDeps): SoakNodes {
  const { ctx, cluster } = input;
  return {
    console: async (node, from) => pieceOf((await serialLog(s.clients, vmssNode(node))) ?? Buffer.alloc(0), from),
    async states(nodes) {
      const kernelRelease = cluster.details.kernelRelease ?? '';
      let kube: KubeNode[] | undefined;
      let kubeWhy = '';
      try {
        kube = await listNodes(await clusterAccess(s.clients, 'workloadCluster', cluster));
      } catch (err) {
        kubeWhy = (err as Error).message;
      }
      const out = new Map<string, NodeState>();
      for (const node of nodes) {
        const state = await powerState(s.clients, vmssNode(node));
        const k = kube?.find((n) => n.name === node.details?.computerName);
        if (state !== 'running') {
          out.set(node.name, { up: false, healthy: false, detail: `VM ${node.name} is ${state}` });
        } else if (k) {
          const rightKernel = !kernelRelease || k.kernelVersion === kernelRelease;
          out.set(node.name, { up: true, healthy: k.ready && rightKernel, detail: `${k.ready ? 'Ready' : 'NotReady'}, kernel ${k.kernelVersion}${rightKernel ? '' : ` (expected ${kernelRelease})`}` });
        } else if (kube) {
          out.set(node.name, { up: true, healthy: false, detail: `VM ${node.name} runs but is not a Kubernetes node` });
        } else {
          out.set(node.name, { up: true, healthy: true, detail: `VM running (scale-set instance view); Kubernetes API not reachable (${kubeWhy.slice(0, 120)})` });
        }
      }
      return out;
    },
    async scan(nodes, io) {
      const out = new Map<string, string>();
      for (const node of nodes) {
        io.progress({ message: `kmemleak double scan on ${node.name} (Run Command)` });
        const r = await runShell(s.clients, vmssNode(node), kmemleakScript(deps.options.kmemleakWaitSeconds));
        out.set(node.name, r.ok ? `${(r.output.match(/unreferenced object/g) ?? []).length} leak(s) reported` : `kmemleak scan failed: ${r.output.slice(0, 200)}`);
      }
      return out;
    },
    lostNode: 'ends-soak',
    marksDir: join(deps.options.stateDir, 'soak', safeName(ctx.cycleId)),
  };
}

/** soak-check (azure): the neutral soak check over the cycle's workload VMs. A panic is a result, never an error. */
export function azureSoakCheck(input: SoakCheckInput, io: StepIO, deps: AzureDeps): Promise<SoakCheckOutput> {
  return withStep(input.ctx, deps, (s) => checkSoak(input, io, azureSoakNodes(input, s, deps)));
}
