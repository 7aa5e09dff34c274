// validateMain on aws through the real dev server: the module checked out, the kernel built and
// the AMI baked by the recording packer stand-in, ONE EC2 instance in moto, the tests through
// SSM Run Command played by the SSM agent STAND-IN (test/aws/ssm-agent-standin.ts), the report
// and its JUnit in the moto bucket, the node terminated. It proves the wiring, not the cloud.
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { ListCommandsCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsClients, type AwsClients } from '../../activities/providers/aws/config';
import { createAwsProvider } from '../../activities/providers/aws/index';
import { VALIDATE_WORKFLOW, type ValidateResult } from '../../src/domain/validate';
import { testClient, uniqueQueue, withWorkers } from '../support/engine';
import { startRehearsal, type Rehearsal } from './rehearsal';
import { fullRun, startSsmAgentStandin, type SsmAgentStandin } from './ssm-agent-standin';

let r: Rehearsal;
let clients: AwsClients;
let agent: SsmAgentStandin;
beforeAll(async () => {
  r = await startRehearsal();
  clients = awsClients({ region: 'eu-west-1', endpoint: r.moto.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  agent = await startSsmAgentStandin(r, clients);
});
afterAll(async () => {
  clients?.destroy();
  await r?.close();
});

describe('validateMain on aws (moto + the packer and SSM agent stand-ins) through the real dev server', () => {
  it('boots one node from the baked AMI, runs the tests there, reports them with the commit, and terminates the node', async () => {
    agent.onlineAfter = 1;
    agent.play = () => ({ status: 'Success', stdout: fullRun('kbug: 3 parses ok') });
    const provider = createAwsProvider({ pollMs: 50, options: { stateDir: r.stateDir, kmemleakWaitSeconds: 1, node: { subnet: agent.subnet, instanceProfile: agent.instanceProfile, bootWaitSeconds: 60 } } });
    const client = await testClient();
    const taskQueue = uniqueQueue('aws-validate');
    // Every aws call of the workers goes through the proxy, where the agent stand-in answers.
    process.env.AWS_ENDPOINT_URL = r.proxy.endpoint;
    let result: ValidateResult;
    try {
      result = await withWorkers({ taskQueue, clouds: ['aws'], providers: { aws: provider } }, () =>
        client.workflow.execute(VALIDATE_WORKFLOW, {
          taskQueue,
          workflowId: `${taskQueue}-validate`,
          args: [{ repo: 'kernel/examples/kbug', ref: 'HEAD', clouds: ['aws'], flavors: ['kasan'], testCommand: 'cat /proc/kbug', testTimeoutSeconds: 30, moduleParams: 'bug=none', taskQueue }],
        }) as Promise<ValidateResult>,
      );
    } finally {
      process.env.AWS_ENDPOINT_URL = r.moto.endpoint;
    }
    expect(result.checkout.commit).toMatch(/^[0-9a-f]{40}$/);
    const [run, ...others] = result.runs;
    expect(others).toEqual([]);
    expect(run?.error).toBeUndefined();
    expect(run).toMatchObject({ cloud: 'aws', flavor: 'kasan' });
    expect(run?.tests).toEqual(expect.arrayContaining([
      expect.objectContaining({ suite: 'kbug', name: 'kbug_parse_ok', status: 'passed' }),
      expect.objectContaining({ name: 'cat /proc/kbug', status: 'passed' }),
    ]));
    expect(run?.junit).toMatch(new RegExp(`^s3://${r.bucket}/artifacts/.*validate/junit\\.xml$`));
    expect(run?.reproducer).toContain(result.checkout.commit);
    expect(run?.reproducer).toContain('aws ec2 run-instances --region eu-west-1 --image-id ami-');

    // One node ran, from the baked AMI (not the source AMI), and is gone.
    const res = await clients.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:rcdebug:role', Values: ['validate-node'] }, { Name: 'tag:rcdebug:cycle', Values: [`${taskQueue}-validate.aws-kasan`] }] }));
    const nodes = (res.Reservations ?? []).flatMap((x) => x.Instances ?? []);
    expect(nodes).toHaveLength(1);
    expect(nodes[0]?.State?.Name).toBe('terminated');
    expect(nodes[0]?.ImageId).not.toBe(r.sourceAmi);
    // The module was built on the node from the source in S3, at the checked-out commit's files.
    const cmds = (await clients.ssm.send(new ListCommandsCommand({ InstanceId: nodes[0]!.InstanceId! }))).Commands ?? [];
    expect(cmds.map((c) => c.Parameters?.commands?.join('\n') ?? '').some((s) => s.includes(`insmod "$KO" 'bug=none'`))).toBe(true);
  }, 360_000);
});
