import { join } from 'node:path';
import type { NodeInfo, SoakCheckInput, SoakCheckOutput, StepIO } from '../../../src/domain/contract';
import { listNodes, type KubeNode } from '../../iac/kube-api';
import { checkSoak, pieceOf, type NodeState, type SoakNodes } from '../../steps/soak-check';
import { consoleHistory } from './console-history';
import type { OciDeps } from './deps';
import { ociMaybe } from './errors';
import { okeKubeconfig } from './kubeconfig';
import { nodePool } from './node-pools';
import { runCommand } from './run-command';
import { safeName, withStep, type OciStep } from './step-context';

/** The kernel release of the last boot banner on a console, if it shows one. */
export function bootedRelease(consoleText: string): string | undefined {
  const all = [...consoleText.matchAll(/Linux version (\S+)/g)];
  return all.at(-1)?.[1];
}

/**
 * The oci cloud's side of the soak check: a node's console is a console history captured at
 * each check (the last 1 MB); its state comes from the Kubernetes API (Ready, on the debug
 * kernel release) with a token of the worker's key, else from the instance (RUNNING), its node
 * in the workload node pool (ACTIVE) and the release its console booted; a scan
 * is the image's kmemleak double scan through Run Command on every node. A node whose
 * instance is gone ends the soak: its node pool may have replaced a crashed node.
 */
export function ociSoakNodes(input: SoakCheckInput, s: OciStep, deps: OciDeps): SoakNodes {
  const { ctx, cluster } = input;
  const pollMs = deps.pollMs ?? 5_000;
  const idOf = (n: NodeInfo) => n.details?.instanceId || n.name;
  const lastConsole = new Map<string, string>();
  return {
    async console(node, from) {
      const text = await consoleHistory(s.clients, idOf(node), { progress() {}, signal: new AbortController().signal, attempt: 1 }, pollMs);
      lastConsole.set(node.name, text);
      return pieceOf(text, from);
    },
    async states(nodes) {
      const release = cluster.details.kernelRelease ?? '';
      const pool = cluster.details.workloadNodePoolId ? await nodePool(s.clients, cluster.details.workloadNodePoolId) : undefined;
      // The Kubernetes API first (Ready, kernel release); when it cannot be reached, the node
      // pool, the instance and the release its console booted decide.
      let kube: KubeNode[] | undefined;
      let kubeWhy = '';
      try {
        kube = await listNodes((await okeKubeconfig(s.clients, cluster.details.workloadClusterId || cluster.clusterId)).access);
      } catch (err) {
        kubeWhy = (err as Error).message.slice(0, 120);
      }
      const out = new Map<string, NodeState>();
      for (const node of nodes) {
        const id = idOf(node);
        const inst = await ociMaybe(`Compute GetInstance ${id}`, () => s.clients.compute.getInstance({ instanceId: id }));
        const state = inst?.instance.lifecycleState ?? 'gone';
        const member = pool?.nodes?.find((n) => n.id === id);
        const booted = bootedRelease(lastConsole.get(node.name) ?? '');
        if (state !== 'RUNNING') {
          out.set(node.name, { up: false, healthy: false, detail: `instance ${id} is ${state}` });
        } else if (kube && !kube.some((k) => k.instanceId === id)) {
          out.set(node.name, { up: true, healthy: false, detail: `instance ${id} runs but is not a Kubernetes node` });
        } else if (kube) {
          const k = kube.find((x) => x.instanceId === id)!;
          const rightKernel = !release || k.kernelVersion === release;
          out.set(node.name, { up: true, healthy: k.ready && rightKernel, detail: `${k.ready ? 'Ready' : 'NotReady'}, kernel ${k.kernelVersion}${rightKernel ? '' : ` (expected ${release})`}` });
        } else if (pool && member?.lifecycleState !== 'ACTIVE') {
          out.set(node.name, { up: true, healthy: false, detail: `instance runs, node pool node ${member?.lifecycleState ?? 'missing'}` });
        } else {
          const rightKernel = !release || !booted || booted === release;
          const rightImage = !cluster.details.imageId || inst?.instance.imageId === cluster.details.imageId;
          out.set(node.name, {
            up: true,
            healthy: rightKernel && rightImage,
            detail: `node pool ACTIVE, kernel ${booted ?? '(no banner yet)'}${rightKernel ? '' : ` (expected ${release})`}${rightImage ? '' : `, image ${inst?.instance.imageId} (expected ${cluster.details.imageId})`}; Kubernetes API not reachable (${kubeWhy})`,
          });
        }
      }
      return out;
    },
    async scan(nodes, io) {
      const wait = deps.options.kmemleakWaitSeconds;
      const res = await runCommand(s.clients, {
        compartmentId: s.compartmentId,
        instanceIds: nodes.map(idOf),
        script: `/usr/local/sbin/rcdebug-kmemleak-scan ${wait}`,
        name: `rcdebug kmemleak double scan ${ctx.cycleId}`,
        timeoutSeconds: wait + 600,
      }, io, pollMs);
      const out = new Map<string, string>();
      for (const node of nodes) {
        const report = res.get(idOf(node));
        if (report !== undefined) out.set(node.name, report.startsWith('run command ') ? report : `${(report.match(/unreferenced object/g) ?? []).length} leak(s) reported`);
      }
      return out;
    },
    lostNode: 'ends-soak',
    marksDir: join(deps.options.stateDir, 'soak', safeName(ctx.cycleId)),
  };
}

/** soak-check (oci): the neutral soak check over the cycle's workload nodes. A panic is a result, never an error. */
export function ociSoakCheck(input: SoakCheckInput, io: StepIO, deps: OciDeps): Promise<SoakCheckOutput> {
  return withStep(input.ctx, deps, (s) => checkSoak(input, io, ociSoakNodes(input, s, deps)));
}
