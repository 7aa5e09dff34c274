import { join } from 'node:path';
import { GetConsoleOutputCommand } from '@aws-sdk/client-ec2';
import type { AwsClients } from './config';
import { awsErrorCode, classifyAwsError } from './errors';
import { kmemleakScript } from '../../steps/kmemleak-scan';
import { sendShellCommand, waitForInvocation } from './ssm-command';
import { clusterAccess } from './kubeconfig';
import type { NodeInfo, SoakCheckInput, SoakCheckOutput, StepIO } from '../../../src/domain/contract';
import { InfraError } from '../../../src/domain/errors';
import type { AwsDeps } from './deps';
import { listNodes, type KubeNode } from '../../iac/kube-api';
import { instancesById } from './nodes';
import { safeName, withStep, type AwsStep } from './step-context';
import { checkSoak, pieceOf, type NodeState, type SoakNodes } from '../../steps/soak-check';

/** The EC2 console output of an instance (the latest part EC2 keeps); empty once the instance is gone. */
export async function consoleText(clients: AwsClients, instanceId: string): Promise<string> {
  try {
    const res = await clients.ec2.send(new GetConsoleOutputCommand({ InstanceId: instanceId, Latest: true }));
    return res.Output ? Buffer.from(res.Output, 'base64').toString('utf8') : '';
  } catch (err) {
    // A node that is gone has no console any more; node loss is reported from its state.
    if (awsErrorCode(err) === 'InvalidInstanceID.NotFound') return '';
    throw classifyAwsError(err, `EC2 GetConsoleOutput ${instanceId}`);
  }
}

/** Runs the double scan on every node through SSM Run Command; returns leaks reported per instance. */
async function kmemleakScan(clients: AwsClients, ids: string[], waitSeconds: number, io: StepIO, pollMs: number, cycleId: string): Promise<Map<string, string>> {
  const commandId = await sendShellCommand(clients, {
    instanceIds: ids,
    commands: kmemleakScript(waitSeconds),
    comment: `rcdebug kmemleak double scan ${cycleId}`,
    executionTimeoutSeconds: waitSeconds + 600,
  });
  const out = new Map<string, string>();
  const deadline = Date.now() + (waitSeconds + 900) * 1000;
  for (const id of ids) {
    const inv = await waitForInvocation(clients, commandId, id, { io, pollMs, deadline, what: 'kmemleak double scan' });
    if (!inv) throw new InfraError(`the kmemleak scan on ${id} did not finish: the check will be retried`);
    out.set(id, inv.Status === 'Success' ? (inv.StandardOutputContent ?? '') : `kmemleak scan ${inv.Status}: ${inv.StandardErrorContent ?? ''}`);
  }
  return out;
}

/**
 * The aws cloud's side of the soak check: a node's console is its EC2 console output (the
 * latest part EC2 keeps); its state comes from the Kubernetes API (Ready, running the debug
 * kernel release), from EC2 when the API cannot be reached; a scan is an SSM Run Command on
 * every node at once. A node whose instance is gone ends the soak: its node group may have
 * replaced a crashed node, and the console went with it.
 */
export function awsSoakNodes(input: SoakCheckInput, s: AwsStep, deps: AwsDeps): SoakNodes {
  const { ctx, cluster } = input;
  const idOf = (n: NodeInfo) => n.details?.instanceId ?? n.name;
  return {
    // EC2 keeps the latest 64 KiB of a console: offsets hold while it is shorter; past that a
    // check may miss output between two checks (log-harvest, at the end, is authoritative).
    console: async (node, from) => pieceOf(await consoleText(s.clients, idOf(node)), from),
    async states(nodes) {
      const kernelRelease = cluster.details.kernelRelease ?? '';
      let kube: KubeNode[] | undefined;
      let kubeWhy = '';
      try {
        kube = await listNodes(await clusterAccess(s.clients, cluster.details.workloadCluster ?? cluster.clusterId));
      } catch (err) {
        kubeWhy = (err as Error).message;
      }
      const instances = await instancesById(s.clients, nodes.map(idOf));
      const out = new Map<string, NodeState>();
      for (const node of nodes) {
        const id = idOf(node);
        const inst = instances.get(id);
        const state = inst?.State?.Name ?? 'gone';
        const k = kube?.find((n) => n.instanceId === id);
        if (state !== 'running') {
          out.set(node.name, { up: false, healthy: false, detail: `instance ${id} is ${state}` });
        } else if (kube && !k) {
          out.set(node.name, { up: true, healthy: false, detail: `instance ${id} runs but is not a Kubernetes node` });
        } else if (k) {
          const rightKernel = !kernelRelease || k.kernelVersion === kernelRelease;
          out.set(node.name, { up: true, healthy: k.ready && rightKernel, detail: `${k.ready ? 'Ready' : 'NotReady'}, kernel ${k.kernelVersion}${rightKernel ? '' : ` (expected ${kernelRelease})`}` });
        } else {
          const rightImage = !cluster.details.imageId || inst?.ImageId === cluster.details.imageId;
          const image = `instance running on ${inst?.ImageId ?? '?'}${rightImage ? ' (the debug image)' : ` (expected ${cluster.details.imageId})`}`;
          out.set(node.name, { up: true, healthy: rightImage, detail: `${image}; Kubernetes API not reachable (${kubeWhy.slice(0, 120)})` });
        }
      }
      return out;
    },
    async scan(nodes, io) {
      const leaks = await kmemleakScan(s.clients, nodes.map(idOf), deps.options.kmemleakWaitSeconds, io, deps.pollMs ?? 5_000, ctx.cycleId);
      const out = new Map<string, string>();
      for (const node of nodes) {
        const report = leaks.get(idOf(node));
        if (report !== undefined) out.set(node.name, report.startsWith('kmemleak scan ') ? report : `${(report.match(/unreferenced object/g) ?? []).length} leak(s) reported`);
      }
      return out;
    },
    lostNode: 'ends-soak',
    marksDir: join(deps.options.stateDir, 'soak', safeName(ctx.cycleId)),
  };
}

/** soak-check (aws): the neutral soak check over the cycle's workload nodes. A panic is a result, never an error. */
export function awsSoakCheck(input: SoakCheckInput, io: StepIO, deps: AwsDeps): Promise<SoakCheckOutput> {
  return withStep(input.ctx, deps, (s) => checkSoak(input, io, awsSoakNodes(input, s, deps)));
}
