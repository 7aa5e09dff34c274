/**
 * node-teardown (aws): validateMain's node terminated and waited for. The node is the one
 * node-boot returned, else whatever instance carries the cycle's node tags (a boot that failed
 * after RunInstances). A node already gone succeeds with nothing removed. Like the cycle's
 * teardown it needs no valid manifest.
 */
import { TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import type { StepIO, TeardownOutput } from '../../../src/domain/contract';
import { InfraError, UserError } from '../../../src/domain/errors';
import type { NodeTeardownInput } from '../../../src/domain/validate';
import type { AwsClients } from './config';
import type { AwsDeps } from './deps';
import { awsErrorCode, classifyAwsError } from './errors';
import { cycleNodes } from './node-boot';
import { instancesById } from './nodes';
import { manifestRegion } from './teardown';

/** How long teardown waits for `terminated`. */
const TERMINATE_WAIT_MS = 600_000;

async function terminate(clients: AwsClients, ids: string[]): Promise<void> {
  try {
    await clients.ec2.send(new TerminateInstancesCommand({ InstanceIds: ids }));
  } catch (err) {
    if (awsErrorCode(err) !== 'InvalidInstanceID.NotFound') throw classifyAwsError(err, `EC2 TerminateInstances ${ids.join(' ')}`);
  }
}

export async function awsNodeTeardown(input: NodeTeardownInput, io: StepIO, deps: AwsDeps): Promise<TeardownOutput> {
  const { ctx } = input;
  const region = input.node?.node.details?.region || (await manifestRegion(ctx.manifest, deps)) || deps.options.region;
  if (!region) throw new UserError(`cannot tell the region of ${ctx.cycleId}'s node to remove it: set AWS_REGION on the worker and retry`, 'AWS_REGION');
  const clients = await deps.connect(region);
  try {
    const known = input.node?.node.details?.instanceId;
    const tagged = (await cycleNodes(clients, ctx.cycleId, ['pending', 'running', 'stopping', 'stopped'])).map((i) => i.InstanceId ?? '');
    const alive = [...(await instancesById(clients, [...new Set([known ?? '', ...tagged].filter(Boolean))])).values()]
      .filter((i) => !['shutting-down', 'terminated'].includes(i.State?.Name ?? ''))
      .map((i) => i.InstanceId!);
    if (alive.length === 0) {
      io.progress({ message: `no node of ${ctx.cycleId} left to remove` });
      return { removed: [] };
    }
    await terminate(clients, alive);
    const deadline = Date.now() + TERMINATE_WAIT_MS;
    for (;;) {
      const states = await instancesById(clients, alive);
      const left = alive.filter((id) => states.has(id) && states.get(id)?.State?.Name !== 'terminated');
      if (left.length === 0) break;
      if (Date.now() > deadline) throw new InfraError(`${left.join(', ')} not terminated after ${TERMINATE_WAIT_MS / 1000} s: the teardown will be retried`);
      io.progress({ message: `terminating ${left.map((id) => `${id} (${states.get(id)?.State?.Name})`).join(', ')}` });
      await new Promise((r) => setTimeout(r, deps.pollMs ?? 5_000));
    }
    return { removed: alive.map((id) => `EC2 instance ${id}`) };
  } finally {
    clients.destroy();
  }
}
