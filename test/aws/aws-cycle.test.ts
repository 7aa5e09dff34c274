import { WorkflowFailedError } from '@temporalio/client';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsProvider } from '../../activities/providers/aws/index';
import { safeName } from '../../activities/providers/aws/step-context';
import { awsClients, type AwsClients } from '../../activities/providers/aws/config';
import type { ClusterProvisionOutput, DeployOutput, ImageBakeOutput, KernelBuildOutput, VersionPublishOutput } from '../../src/domain/contract';
import { abortUpdate, stateQuery, type CloudCycleState } from '../../src/domain/cycle-state';
import { eventually, startCycle, testClient, uniqueQueue, withWorkers } from '../support/engine';
import { jsonThrottle } from '../support/moto';
import { CHARTS, startRehearsal, type Rehearsal } from './rehearsal';

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

const soak = { durationSeconds: 2, checkIntervalSeconds: 1, scanIntervalSeconds: 1 };
// Every stand-in run starts Node and the AWS SDK: a cycle takes one to two minutes on a busy 2-core machine.
const CYCLE_TIMEOUT_MS = 360_000;
const provider = () => createAwsProvider({ pollMs: 50, options: { stateDir: r.stateDir, kmemleakWaitSeconds: 1 } });

async function childState(client: Awaited<ReturnType<typeof testClient>>, id: string): Promise<CloudCycleState> {
  return client.workflow.getHandle(id).query(stateQuery);
}

function output<T>(state: CloudCycleState, step: string): T {
  return state.steps.find((s) => s.name === step)?.output as T;
}

async function runningInstances(cycle: string): Promise<number> {
  const res = await clients.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:rcdebug:cycle', Values: [cycle] }, { Name: 'instance-state-name', Values: ['pending', 'running'] }] }));
  return (res.Reservations ?? []).flatMap((x) => x.Instances ?? []).length;
}

function destroyedWorkspaces(): string[] {
  return r.calls().filter((c) => c.tool === 'terraform' && c.argv[0] === 'workspace' && c.argv[1] === 'delete').map((c) => c.argv[2]!);
}

describe('cloudCycle on aws (moto + recording stand-ins) through the real dev server', () => {
  it('runs to the end: AMI id, parameter paths, cluster names and Helm releases in the state; findings; torn down', async () => {
    const client = await testClient();
    const taskQueue = uniqueQueue('aws-happy');
    const childId = `${taskQueue}-cycle.aws-kasan`;
    // SSM throttles every attempt the SDK makes on the first publish: the activity fails with
    // an InfraError and Temporal's retry policy runs it again; nothing of it becomes a finding.
    process.env.AWS_ENDPOINT_URL = r.proxy.endpoint;
    r.proxy.inject(jsonThrottle, 3, (op) => op === 'PutParameter');
    // Queries need a worker: the child's state is read before the workers stop.
    const { result, state } = await withWorkers({ taskQueue, clouds: ['aws'], providers: { aws: provider() } }, async () => {
      const h = await startCycle(client, { rc: 'v1.4.0-rc2', taskQueue, clouds: ['aws'], flavors: ['kasan'], manifest: r.manifest, soak });
      const res = await h.result();
      return { result: res, state: await childState(client, childId) };
    }).finally(() => {
      process.env.AWS_ENDPOINT_URL = r.moto.endpoint;
    });
    expect(result.verdict, JSON.stringify(state.steps.map((s) => [s.name, s.status, s.error?.message]))).toBe('findings');
    expect(result.newFindings.map((f) => f.title)).toContain('KASAN: use-after-free Read in kbug_uaf_read');
    expect(state.steps.map((s) => `${s.name}:${s.status}`)).toEqual([
      'kernel-build:succeeded', 'image-bake:succeeded', 'version-publish:succeeded', 'cluster-provision:succeeded',
      'deploy:succeeded', 'soak:succeeded', 'log-harvest:succeeded', 'teardown:succeeded',
    ]);
    const kernel = output<KernelBuildOutput>(state, 'kernel-build');
    const image = output<ImageBakeOutput>(state, 'image-bake');
    const published = output<VersionPublishOutput>(state, 'version-publish');
    const cluster = output<ClusterProvisionOutput>(state, 'cluster-provision');
    const deploy = output<DeployOutput>(state, 'deploy');
    expect(kernel.kernelRelease).toBe('6.1.119-rcdebug-kasan');
    expect(image.imageId).toMatch(/^ami-[0-9a-f]+$/);
    expect(published.paths).toContain(`/rcdebug/aws/kasan/6.1.119-rcdebug-kasan/${image.digest}/image-id`);
    expect(cluster.details.workloadCluster).toMatch(/^riptides-debug-apps-/);
    expect(cluster.nodes).toHaveLength(2);
    expect(deploy.releases).toEqual([
      `${cluster.details.cpCluster}/debug-cp/controlplane@v0.1.9`,
      `${cluster.details.workloadCluster}/riptides-system/agent@v0.1.17`,
    ]);
    expect(state.teardown).toBe('done');
    expect(state.steps.find((s) => s.name === 'version-publish')?.attempts).toBe(2);
    expect(result.newFindings).toHaveLength(1);
    expect(destroyedWorkspaces()).toContain(safeName(childId));
    expect(await runningInstances(childId)).toBe(0);
    // No credential reached the workflow history.
    const history = JSON.stringify(await client.workflow.getHandle(childId).fetchHistory());
    expect(history).not.toContain('k8s-aws-v1.');
    expect(history).not.toContain('testing');
  }, CYCLE_TIMEOUT_MS);

  it('a chart missing from the registry parks the cycle at deploy; abort tears the clusters down', async () => {
    const client = await testClient();
    const taskQueue = uniqueQueue('aws-nochart');
    const childId = `${taskQueue}-cycle.aws-kasan`;
    process.env.RCDEBUG_STANDIN_CHARTS = 'ghcr.io/riptideslabs/helm/controlplane:v0.1.9';
    try {
      const result = await withWorkers({ taskQueue, clouds: ['aws'], providers: { aws: provider() } }, async () => {
        const h = await startCycle(client, { rc: 'v1.4.0-rc2', taskQueue, clouds: ['aws'], flavors: ['kasan'], manifest: r.manifest, soak });
        const child = client.workflow.getHandle(childId);
        const parked = await eventually(async () => {
          const s = await child.query(stateQuery);
          return s.phase === 'awaiting-operator' ? s : undefined;
        }, 240_000, 'deploy to park');
        const deploy = parked.steps.find((s) => s.name === 'deploy');
        expect(deploy?.error?.type).toBe('UserError');
        expect(deploy?.error?.message).toContain('oci://ghcr.io/riptideslabs/helm/agent version v0.1.17 is not in the registry');
        await child.executeUpdate(abortUpdate, { args: [{ reason: 'chart not published' }] });
        return { verdict: (await h.result()).verdict, teardown: (await childState(client, childId)).teardown };
      });
      expect(result.verdict).toBe('aborted');
      expect(result.teardown).toBe('done');
      expect(destroyedWorkspaces()).toContain(safeName(childId));
      expect(await runningInstances(childId)).toBe(0);
    } finally {
      process.env.RCDEBUG_STANDIN_CHARTS = CHARTS;
    }
  }, CYCLE_TIMEOUT_MS);

  it('cancel during the soak runs terraform destroy', async () => {
    const client = await testClient();
    const taskQueue = uniqueQueue('aws-cancel');
    const childId = `${taskQueue}-cycle.aws-kasan`;
    const err = await withWorkers({ taskQueue, clouds: ['aws'], providers: { aws: provider() } }, async () => {
      const h = await startCycle(client, { rc: 'v1.4.0-rc2', taskQueue, clouds: ['aws'], flavors: ['kasan'], manifest: r.manifest, soak: { ...soak, durationSeconds: 600 } });
      await eventually(async () => (await childState(client, childId)).currentStep === 'soak', 240_000, 'the soak to start');
      expect(await runningInstances(childId)).toBe(2);
      await h.cancel();
      return h.result().then(() => undefined, (e: unknown) => e);
    });
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(destroyedWorkspaces()).toContain(safeName(childId));
    expect(await runningInstances(childId)).toBe(0);
  }, CYCLE_TIMEOUT_MS);
});
