/**
 * The STAND-IN of an instance's SSM agent for the aws single-node tests, on the fault proxy in
 * front of moto (moto records commands but runs none, and has no DescribeInstanceInformation):
 * the node registers and goes Online after `onlineAfter` polls, and a command's invocation
 * answers with the output the test scripts, which it also writes where SSM puts the whole
 * output (OutputS3BucketName), cut at 24,000 characters in the answer as SSM cuts it. It
 * proves the wiring, never what the script does on a node. Also seeds the node's subnet and
 * instance profile (moto checks that RunInstances names a profile that exists).
 */
import { DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { ListCommandsCommand } from '@aws-sdk/client-ssm';
import type { AwsClients } from '../../activities/providers/aws/config';
import type { Fault } from '../support/moto';
import type { Rehearsal } from './rehearsal';

/** What the stand-in agent answers for a command: its status and the whole stdout. */
export interface Played { status: string; details?: string; stdout: string }

export interface SsmAgentStandin {
  subnet: string;
  instanceProfile: string;
  /** Polls of DescribeInstanceInformation before a node shows up Online. */
  onlineAfter: number;
  /** The node's run of a script (the commands joined by newlines). */
  play: (script: string) => Played;
}

const json = (body: unknown): Fault => ({ status: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify(body) });

export async function startSsmAgentStandin(r: Rehearsal, clients: AwsClients): Promise<SsmAgentStandin> {
  const subnets = await clients.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'availability-zone', Values: ['eu-west-1a'] }] }));
  const iam = await fetch(r.moto.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0' },
    body: new URLSearchParams({ Action: 'CreateInstanceProfile', Version: '2010-05-08', InstanceProfileName: 'rcdebug-node' }),
  });
  if (!iam.ok) throw new Error(`moto CreateInstanceProfile: ${iam.status} ${await iam.text()}`);
  const agent: SsmAgentStandin = {
    subnet: subnets.Subnets![0]!.SubnetId!,
    instanceProfile: 'rcdebug-node',
    onlineAfter: 0,
    play: () => ({ status: 'Failed', stdout: 'no run scripted for this command' }),
  };
  const polls = new Map<string, number>();
  r.proxy.answer('DescribeInstanceInformation', async (body) => {
    const ids: string[] = JSON.parse(body).Filters?.find((f: { Key: string }) => f.Key === 'InstanceIds')?.Values ?? [];
    const online = ids.filter((id) => {
      polls.set(id, (polls.get(id) ?? 0) + 1);
      return polls.get(id)! > agent.onlineAfter;
    });
    return json({ InstanceInformationList: online.map((InstanceId) => ({ InstanceId, PingStatus: 'Online', PlatformType: 'Linux' })) });
  });
  r.proxy.answer('GetCommandInvocation', async (body) => {
    const { CommandId, InstanceId } = JSON.parse(body) as { CommandId: string; InstanceId: string };
    const cmd = (await clients.ssm.send(new ListCommandsCommand({ CommandId }))).Commands![0]!;
    const script = cmd.Parameters!.commands!.join('\n');
    // node-boot's kunit.enable=1: the agent rebooted the node (exit 194) and the rerun found it on the command line.
    const out = script.includes('grep -qw kunit.enable=1 /proc/cmdline') ? { status: 'Success', stdout: '@@rcdebug kunit-enabled\n' } : agent.play(script);
    let StandardOutputUrl = '';
    if (cmd.OutputS3BucketName) {
      const Key = `${cmd.OutputS3KeyPrefix}/${CommandId}/${InstanceId}/awsrunShellScript/0.awsrunShellScript/stdout`;
      await clients.s3.send(new PutObjectCommand({ Bucket: cmd.OutputS3BucketName, Key, Body: out.stdout }));
      StandardOutputUrl = `https://s3.eu-west-1.amazonaws.com/${cmd.OutputS3BucketName}/${Key}`;
    }
    return json({ CommandId, InstanceId, Status: out.status, StatusDetails: out.details ?? out.status, ResponseCode: out.status === 'Success' ? 0 : -1, StandardOutputContent: out.stdout.slice(0, 24_000), StandardOutputUrl, StandardErrorContent: '' });
  });
  return agent;
}

export const KTAP = ['KTAP version 1', '1..1', '    KTAP version 1', '    # Subtest: kbug', '    1..2', '    ok 1 kbug_parse_ok', '    ok 2 kbug_leak_planted', 'ok 1 kbug'].join('\n');

/** The output of a whole run, as the script prints it; `commandOutput` may be long. */
export function fullRun(commandOutput: string, exit = 0): string {
  return [
    '@@rcdebug uname 6.1.119-rcdebug-kasan',
    '@@rcdebug command', commandOutput, `@@rcdebug command-exit ${exit}`,
    '@@rcdebug ktap', KTAP,
    '@@rcdebug kmemleak', 'unreferenced object 0xffff888003a1c000 (size 64):', '  comm "insmod", pid 201, jiffies 4294937296',
    '@@rcdebug dmesg', '[  100.000000] rcdebug-validate: start tok', '[  100.100000] kbug: loaded (bug=none)',
    '@@rcdebug end', '',
  ].join('\n');
}
