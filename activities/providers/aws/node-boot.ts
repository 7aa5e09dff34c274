/**
 * node-boot (aws): validateMain's one debug node, an EC2 instance of the cycle's debug AMI
 * with no cluster around it, booted with KUnit enabled. Every setting is checked before RunInstances; a retry finds the
 * instance the first attempt started (by its tags, and the ClientToken on AWS's side).
 */
import { createHash } from 'node:crypto';
import { DescribeInstancesCommand, DescribeInstanceTypeOfferingsCommand, DescribeSubnetsCommand, RunInstancesCommand, type Instance } from '@aws-sdk/client-ec2';
import { DescribeInstanceInformationCommand } from '@aws-sdk/client-ssm';
import type { StepContext, StepIO } from '../../../src/domain/contract';
import { InfraError, UserError } from '../../../src/domain/errors';
import type { NodeBootInput, NodeBootOutput } from '../../../src/domain/validate';
import type { AwsClients } from './config';
import type { AwsDeps } from './deps';
import { aws, awsErrorCode, classifyAwsError } from './errors';
import { instancesById } from './nodes';
import { requireBucket, type AwsNodeOptions } from './options';
import { requireImage } from './source-ami';
import { sendShellCommand, waitForInvocation } from './ssm-command';
import { safeName, withStep } from './step-context';

/** The `rcdebug:role` tag of validateMain's node: what node-teardown and a retry look it up by. */
export const NODE_ROLE = 'validate-node';

/** The tags of the node and its volume: the cycle's own, so the janitor sweeps a leaked node with its cycle. */
export function nodeTags(ctx: StepContext): Record<string, string> {
  return {
    'rcdebug:managed': 'true',
    'rcdebug:cycle': ctx.cycleId,
    'rcdebug:rc': ctx.rc,
    'rcdebug:flavor': ctx.flavor,
    'rcdebug:stack': 'aws',
    'rcdebug:role': NODE_ROLE,
    Name: `rcdebug-${safeName(ctx.cycleId, 60)}`,
  };
}

/** The instances of the cycle's node in the given states. */
export async function cycleNodes(clients: AwsClients, cycleId: string, states: string[]): Promise<Instance[]> {
  const res = await aws(`EC2 DescribeInstances rcdebug:cycle=${cycleId}`, () => clients.ec2.send(new DescribeInstancesCommand({
    Filters: [{ Name: 'tag:rcdebug:cycle', Values: [cycleId] }, { Name: 'tag:rcdebug:role', Values: [NODE_ROLE] }, { Name: 'instance-state-name', Values: states }],
  })));
  return (res.Reservations ?? []).flatMap((r) => r.Instances ?? []);
}

/** The settings RunInstances needs, checked against EC2: a UserError naming the setting when one is off. */
async function checkNodeSettings(clients: AwsClients, node: AwsNodeOptions): Promise<{ subnet: string; zone: string; profile: string }> {
  if (!node.subnet) {
    throw new UserError('no subnet for the validation node: set RCDEBUG_AWS_NODE_SUBNET on the aws worker to a subnet with a route to SSM and S3', 'RCDEBUG_AWS_NODE_SUBNET', 'export RCDEBUG_AWS_NODE_SUBNET=subnet-...');
  }
  if (!node.instanceProfile) {
    throw new UserError('no instance profile for the validation node: set RCDEBUG_AWS_NODE_INSTANCE_PROFILE to one with AmazonSSMManagedInstanceCore and access to the artifacts bucket (docs/aws.md)', 'RCDEBUG_AWS_NODE_INSTANCE_PROFILE');
  }
  const subnet = node.subnet;
  let zone: string | undefined;
  try {
    zone = (await clients.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnet] }))).Subnets?.[0]?.AvailabilityZone;
  } catch (err) {
    if (!/^InvalidSubnetID\./.test(awsErrorCode(err) ?? '')) throw classifyAwsError(err, `EC2 DescribeSubnets ${subnet}`);
  }
  if (!zone) throw new UserError(`the subnet ${subnet} does not exist in ${clients.config.region}: set RCDEBUG_AWS_NODE_SUBNET to a subnet of that region`, 'RCDEBUG_AWS_NODE_SUBNET');
  const offered = await aws(`EC2 DescribeInstanceTypeOfferings ${zone}`, () => clients.ec2.send(new DescribeInstanceTypeOfferingsCommand({
    LocationType: 'availability-zone',
    Filters: [{ Name: 'location', Values: [zone] }, { Name: 'instance-type', Values: [node.instanceType] }],
  })));
  if (!(offered.InstanceTypeOfferings ?? []).length) {
    throw new UserError(`the instance type ${node.instanceType} is not offered in ${zone} (the zone of ${subnet}): set RCDEBUG_AWS_NODE_INSTANCE_TYPE to one that is, or pick a subnet in another zone`, 'RCDEBUG_AWS_NODE_INSTANCE_TYPE');
  }
  return { subnet, zone, profile: node.instanceProfile };
}

/** Starts the node, or finds the one an earlier attempt started. */
async function startNode(clients: AwsClients, input: NodeBootInput, node: AwsNodeOptions, checked: { subnet: string; profile: string }, io: StepIO): Promise<string> {
  const { ctx, image } = input;
  const [found] = await cycleNodes(clients, ctx.cycleId, ['pending', 'running']);
  if (found?.InstanceId) {
    io.progress({ message: `the cycle's node ${found.InstanceId} is already ${found.State?.Name}` });
    return found.InstanceId;
  }
  const tags = Object.entries(nodeTags(ctx)).map(([Key, Value]) => ({ Key, Value }));
  const res = await aws(`EC2 RunInstances ${image.imageId} ${node.instanceType}`, () => clients.ec2.send(new RunInstancesCommand({
    ImageId: image.imageId,
    InstanceType: node.instanceType as never,
    MinCount: 1,
    MaxCount: 1,
    SubnetId: checked.subnet,
    ...(node.securityGroups.length ? { SecurityGroupIds: node.securityGroups } : {}),
    IamInstanceProfile: checked.profile.startsWith('arn:') ? { Arn: checked.profile } : { Name: checked.profile },
    // AWS returns the same instance for the same token: a retry after a lost answer starts no second node.
    ClientToken: createHash('sha256').update(`${ctx.cycleId}\n${image.imageId}`).digest('hex').slice(0, 64),
    MetadataOptions: { HttpTokens: 'required' },
    TagSpecifications: [{ ResourceType: 'instance', Tags: tags }, { ResourceType: 'volume', Tags: tags }],
  })));
  const id = res.Instances?.[0]?.InstanceId;
  if (!id) throw new InfraError('EC2 RunInstances returned no instance');
  return id;
}

/** Waits until the instance runs and its SSM agent is online; the state it reached on the way. */
async function waitOnline(clients: AwsClients, id: string, io: StepIO, deps: AwsDeps): Promise<Instance> {
  const deadline = Date.now() + deps.options.node.bootWaitSeconds * 1000;
  for (;;) {
    const inst = (await instancesById(clients, [id])).get(id);
    const state = inst?.State?.Name ?? 'gone';
    if (['shutting-down', 'terminated', 'stopping', 'stopped', 'gone'].includes(state)) {
      throw new InfraError(`the validation node ${id} is ${state} (${inst?.StateReason?.Message ?? 'no reason given'}): the step will start another`);
    }
    let ping = 'not registered';
    if (state === 'running') {
      const info = await aws(`SSM DescribeInstanceInformation ${id}`, () => clients.ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: [id] }] })));
      ping = info.InstanceInformationList?.find((i) => i.InstanceId === id)?.PingStatus ?? ping;
      if (ping === 'Online') return inst!;
    }
    if (io.signal.aborted) throw new InfraError('node-boot was stopped: the step was cancelled');
    if (Date.now() > deadline) {
      throw new InfraError(`the validation node ${id} is ${state}, SSM agent ${ping}, after ${deps.options.node.bootWaitSeconds} s: the step will be retried (RCDEBUG_AWS_NODE_WAIT_SECONDS sets the bound)`);
    }
    io.progress({ message: `node ${id}: ${state}, SSM agent ${ping}` });
    await new Promise((r) => setTimeout(r, deps.pollMs ?? 5_000));
  }
}

/**
 * KUnit is built into the debug kernel but off unless booted with `kunit.enable=1`: the node
 * gets it on its kernel command line once, through the SSM agent's reboot-and-rerun (exit 194).
 */
export const KUNIT_BOOT_SCRIPT = [
  'if grep -qw kunit.enable=1 /proc/cmdline; then echo "@@rcdebug kunit-enabled"; exit 0; fi',
  'grubby --update-kernel="/boot/vmlinuz-$(uname -r)" --args=kunit.enable=1 || exit 1',
  'exit 194',
];

async function enableKunit(clients: AwsClients, id: string, io: StepIO, deps: AwsDeps): Promise<void> {
  const commandId = await sendShellCommand(clients, { instanceIds: [id], commands: KUNIT_BOOT_SCRIPT, comment: 'rcdebug: kunit.enable=1 on the kernel command line', executionTimeoutSeconds: 300 });
  const deadline = Date.now() + deps.options.node.bootWaitSeconds * 1000;
  const inv = await waitForInvocation(clients, commandId, id, { io, pollMs: deps.pollMs ?? 5_000, deadline, what: 'kunit.enable=1 and a reboot' });
  if (inv?.Status !== 'Success' || !(inv.StandardOutputContent ?? '').includes('@@rcdebug kunit-enabled')) {
    throw new InfraError(`the node ${id} did not come back with kunit.enable=1 on its kernel command line (SSM ${inv?.Status ?? 'still running'}: ${(inv?.StandardErrorContent ?? '').slice(0, 300)}): the step will be retried`);
  }
}

export async function awsNodeBoot(input: NodeBootInput, io: StepIO, deps: AwsDeps): Promise<NodeBootOutput> {
  const { ctx, kernel, image } = input;
  return withStep(ctx, deps, async (s) => {
    const bucket = requireBucket(deps.options);
    const checked = await checkNodeSettings(s.clients, deps.options.node);
    await requireImage(s.clients, image.imageId, 'the debug AMI');
    const id = await startNode(s.clients, input, deps.options.node, checked, io);
    const inst = await waitOnline(s.clients, id, io, deps);
    await enableKunit(s.clients, id, io, deps);
    return {
      node: {
        name: id,
        console: `s3://${bucket}/artifacts/${ctx.cycleId}/node-test/${id}/dmesg.log`,
        details: {
          instanceId: id,
          region: s.region,
          imageId: inst.ImageId ?? image.imageId,
          zone: checked.zone,
          privateIp: inst.PrivateIpAddress ?? '',
          kernelRelease: kernel.kernelRelease,
        },
      },
    };
  });
}
