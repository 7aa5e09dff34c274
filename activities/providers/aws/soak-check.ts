import { GetConsoleOutputCommand } from '@aws-sdk/client-ec2';
import { GetCommandInvocationCommand, SendCommandCommand } from '@aws-sdk/client-ssm';
import type { AwsClients } from './config';
import { aws, awsErrorCode, classifyAwsError } from './errors';
import { clusterAccess } from './kubeconfig';
import type { NodeHealth, SoakCheckInput, SoakCheckOutput, StepIO } from '../../../src/domain/contract';
import { InfraError } from '../../../src/domain/errors';
import type { AwsDeps } from './deps';
import { listNodes, type KubeNode } from './kube-api';
import { instancesById } from './nodes';
import { consoleShowsPanic } from './panic';
import { withStep } from './step-context';

/**
 * The kmemleak double scan: the image's `rcdebug-kmemleak-scan` (scan, wait, scan, report; the
 * first scan of a pair has false positives), or the same steps inline on an image without it.
 */
export function kmemleakScript(waitSeconds: number): string[] {
  return [
    'set -e',
    `if [ -x /usr/local/sbin/rcdebug-kmemleak-scan ]; then exec /usr/local/sbin/rcdebug-kmemleak-scan ${waitSeconds}; fi`,
    'test -w /sys/kernel/debug/kmemleak || mount -t debugfs none /sys/kernel/debug',
    'echo scan > /sys/kernel/debug/kmemleak',
    `sleep ${waitSeconds}`,
    'echo scan > /sys/kernel/debug/kmemleak',
    'cat /sys/kernel/debug/kmemleak',
  ];
}

async function consoleText(clients: AwsClients, instanceId: string): Promise<string> {
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
  const sent = await aws('SSM SendCommand AWS-RunShellScript', () => clients.ssm.send(new SendCommandCommand({
    DocumentName: 'AWS-RunShellScript',
    InstanceIds: ids,
    Comment: `rcdebug kmemleak double scan ${cycleId}`.slice(0, 100),
    Parameters: { commands: kmemleakScript(waitSeconds), executionTimeout: [String(waitSeconds + 600)] },
    TimeoutSeconds: 600,
  })));
  const commandId = sent.Command?.CommandId;
  if (!commandId) throw new InfraError('SSM SendCommand returned no command id');
  const out = new Map<string, string>();
  const deadline = Date.now() + (waitSeconds + 900) * 1000;
  for (const id of ids) {
    for (;;) {
      let inv;
      try {
        inv = await clients.ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: id }));
      } catch (err) {
        // The invocation appears a moment after SendCommand returns.
        if (awsErrorCode(err) !== 'InvocationDoesNotExist') throw classifyAwsError(err, `SSM GetCommandInvocation ${commandId} ${id}`);
      }
      const status = inv?.Status;
      if (status && !['Pending', 'InProgress', 'Delayed'].includes(status)) {
        out.set(id, status === 'Success' ? (inv?.StandardOutputContent ?? '') : `kmemleak scan ${status}: ${inv?.StandardErrorContent ?? ''}`);
        break;
      }
      if (io.signal.aborted) throw new InfraError('the kmemleak scan was stopped: the step was cancelled');
      if (Date.now() > deadline) throw new InfraError(`the kmemleak scan on ${id} did not finish: the check will be retried`);
      io.progress({ message: `kmemleak double scan on ${id}: ${status ?? 'starting'}` });
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }
  return out;
}

/**
 * soak-check (aws): each workload node's health from the Kubernetes API (Ready, running the
 * debug kernel release), from EC2 when the API cannot be reached; a panic on its console
 * (EC2 GetConsoleOutput) or its loss ends the soak early. With `scan`, a kmemleak double scan
 * on every node through SSM Run Command. A panic is a result, never an error.
 */
export async function awsSoakCheck(input: SoakCheckInput, io: StepIO, deps: AwsDeps): Promise<SoakCheckOutput> {
  const { ctx, cluster } = input;
  return withStep(ctx, deps, async (s) => {
    const ids = cluster.nodes.map((n) => n.details?.instanceId ?? n.name);
    const kernelRelease = cluster.details.kernelRelease ?? '';
    let kube: KubeNode[] | undefined;
    let kubeWhy = '';
    try {
      kube = await listNodes(await clusterAccess(s.clients, cluster.details.workloadCluster ?? cluster.clusterId));
    } catch (err) {
      kubeWhy = (err as Error).message;
    }
    const instances = await instancesById(s.clients, ids);
    const leaks = input.scan ? await kmemleakScan(s.clients, ids.filter((id) => instances.get(id)?.State?.Name === 'running'), deps.options.kmemleakWaitSeconds, io, deps.pollMs ?? 5_000, ctx.cycleId) : new Map<string, string>();
    const nodes: NodeHealth[] = [];
    for (const [i, id] of ids.entries()) {
      const name = cluster.nodes[i]?.name ?? id;
      const inst = instances.get(id);
      const state = inst?.State?.Name ?? 'gone';
      const text = await consoleText(s.clients, id);
      const panicked = consoleShowsPanic(text);
      const scan = leaks.has(id) ? `; kmemleak: ${(leaks.get(id)?.match(/unreferenced object/g) ?? []).length} leak(s) reported` : '';
      if (panicked) {
        nodes.push({ name, healthy: false, panicked: true, detail: `kernel panic on the console of ${id}${scan}` });
        continue;
      }
      if (state !== 'running') {
        nodes.push({ name, healthy: false, panicked: true, detail: `node lost: instance ${id} is ${state}` });
        continue;
      }
      const k = kube?.find((n) => n.instanceId === id);
      if (kube && !k) {
        nodes.push({ name, healthy: false, panicked: false, detail: `instance ${id} runs but is not a Kubernetes node${scan}` });
      } else if (k) {
        const rightKernel = !kernelRelease || k.kernelVersion === kernelRelease;
        nodes.push({
          name,
          healthy: k.ready && rightKernel,
          panicked: false,
          detail: `${k.ready ? 'Ready' : 'NotReady'}, kernel ${k.kernelVersion}${rightKernel ? '' : ` (expected ${kernelRelease})`}${scan}`,
        });
      } else {
        const rightImage = !cluster.details.imageId || inst?.ImageId === cluster.details.imageId;
        nodes.push({
          name,
          healthy: rightImage,
          panicked: false,
          detail: `instance running on ${inst?.ImageId ?? '?'}${rightImage ? ' (the debug image)' : ` (expected ${cluster.details.imageId})`}; Kubernetes API not reachable (${kubeWhy.slice(0, 120)})${scan}`,
        });
      }
    }
    return { nodes, panicked: nodes.some((n) => n.panicked) };
  });
}
