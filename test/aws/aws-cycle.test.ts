import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsProvider } from '../../activities/providers/aws/index';
import { safeName } from '../../activities/providers/aws/step-context';
import { awsClients, type AwsClients } from '../../activities/providers/aws/config';
import { CYCLE_TIMEOUT_MS, cancelDuringSoakDestroys, expectHappyEnd, missingChartParksThenAbort, runCycle, type CycleRig } from '../support/cloud-cycle';
import { jsonThrottle } from '../support/moto';
import { startRehearsal, type Rehearsal } from './rehearsal';

// The whole cloudCycle on `aws` through the real dev server: the SDK against moto, packer,
// terraform and helm replaced by the recording stand-ins of test/fixtures/aws-standins/.
// This proves the wiring (arguments, outputs parsed back, compensation), not the cloud.

let r: Rehearsal;
let clients: AwsClients;
beforeAll(async () => {
  r = await startRehearsal();
  clients = awsClients({ region: 'eu-west-1', endpoint: r.moto.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
});
afterAll(async () => {
  clients?.destroy();
  await r?.close();
});

async function runningInstances(cycle: string): Promise<number> {
  const res = await clients.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:rcdebug:cycle', Values: [cycle] }, { Name: 'instance-state-name', Values: ['pending', 'running'] }] }));
  return (res.Reservations ?? []).flatMap((x) => x.Instances ?? []).length;
}

const rig: CycleRig = {
  cloud: 'aws',
  manifest: () => r.manifest,
  provider: () => createAwsProvider({ pollMs: 50, options: { stateDir: r.stateDir, kmemleakWaitSeconds: 1 } }),
  calls: () => r.calls(),
  running: runningInstances,
  safeName,
};

describe('cloudCycle on aws (moto + recording stand-ins) through the real dev server', () => {
  it('runs to the end: AMI id, parameter paths, cluster names and Helm releases in the state; findings; torn down', async () => {
    // SSM throttles every attempt the SDK makes on the first publish: the activity fails with
    // an InfraError and Temporal's retry policy runs it again; nothing of it becomes a finding.
    process.env.AWS_ENDPOINT_URL = r.proxy.endpoint;
    r.proxy.inject(jsonThrottle, 3, (op) => op === 'PutParameter');
    const run = await runCycle(rig, 'happy').finally(() => {
      process.env.AWS_ENDPOINT_URL = r.moto.endpoint;
    });
    const { client, childId, result, state } = run;
    const { kernel, image, published, cluster } = await expectHappyEnd(rig, run);
    expect(kernel.kernelRelease).toBe('6.1.119-rcdebug-kasan');
    expect(image.imageId).toMatch(/^ami-[0-9a-f]+$/);
    expect(published.paths).toContain(`/rcdebug/aws/kasan/6.1.119-rcdebug-kasan/${image.digest}/image-id`);
    expect(cluster.details.workloadCluster).toMatch(/^riptides-debug-apps-/);
    expect(state.steps.find((s) => s.name === 'version-publish')?.attempts).toBe(2);
    expect(result.newFindings).toHaveLength(1);
    // No credential reached the workflow history.
    const history = JSON.stringify(await client.workflow.getHandle(childId).fetchHistory());
    expect(history).not.toContain('k8s-aws-v1.');
    expect(history).not.toContain('testing');
  }, CYCLE_TIMEOUT_MS);

  it('a chart missing from the registry parks the cycle at deploy; abort tears the clusters down', () => missingChartParksThenAbort(rig), CYCLE_TIMEOUT_MS);

  it('cancel during the soak runs terraform destroy', () => cancelDuringSoakDestroys(rig, { runningDuringSoak: 2 }), CYCLE_TIMEOUT_MS);
});
