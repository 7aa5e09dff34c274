import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOciProvider } from '../../activities/providers/oci/index';
import { safeName } from '../../activities/providers/oci/step-context';
import type { ClusterProvisionOutput, DeployOutput, ImageBakeOutput, KernelBuildOutput, VersionPublishOutput } from '../../src/domain/contract';
import { abortUpdate, stateQuery, type CloudCycleState } from '../../src/domain/cycle-state';
import { eventually, startCycle, testClient, uniqueQueue, withWorkers } from '../support/engine';
import { CHARTS, startOciRehearsal, type OciRehearsal } from './rehearsal';

// The whole cloudCycle on `oci` through the real dev server: the OCI SDK against the OCI API
// stand-in (signatures verified, SDK model shapes; a stand-in, not OCI), packer, terraform and
// helm replaced by the recording stand-ins of test/fixtures/oci-standins/. This proves the
// wiring (arguments, outputs parsed back, compensation), not the cloud.

let r: OciRehearsal;
beforeAll(async () => {
  r = await startOciRehearsal();
});
afterAll(async () => {
  await r?.close();
});

const soak = { durationSeconds: 2, checkIntervalSeconds: 1, scanIntervalSeconds: 1 };
const CYCLE_TIMEOUT_MS = 360_000;
const provider = () => createOciProvider({ pollMs: 50, options: { stateDir: r.stateDir, kmemleakWaitSeconds: 1 } });

function childState(client: Awaited<ReturnType<typeof testClient>>, id: string): Promise<CloudCycleState> {
  return client.workflow.getHandle(id).query(stateQuery);
}

function output<T>(state: CloudCycleState, step: string): T {
  return state.steps.find((s) => s.name === step)?.output as T;
}

/** Instances of the cycle still RUNNING in the stand-in. */
function runningInstances(cycle: string): number {
  return [...r.api.state.instances.values()].filter((i: { lifecycleState: string; freeformTags: Record<string, string> }) => i.lifecycleState === 'RUNNING' && i.freeformTags['rcdebug-cycle'] === cycle).length;
}

function destroyedWorkspaces(): string[] {
  return r.calls().filter((c) => c.tool === 'terraform' && c.argv[0] === 'workspace' && c.argv[1] === 'delete').map((c) => c.argv[2]!);
}

describe('cloudCycle on oci (OCI API stand-in + recording stand-ins) through the real dev server', () => {
  it('runs to the end: image OCID, registry objects, cluster and node pool ids, Helm releases in the state; findings; torn down', async () => {
    const client = await testClient();
    const taskQueue = uniqueQueue('oci-happy');
    const childId = `${taskQueue}-cycle.oci-kasan`;
    // Object Storage throttles every attempt the SDK makes on the first registry write: the
    // activity fails with an InfraError and Temporal retries it; nothing of it becomes a finding.
    r.api.inject({ status: 429, times: 3, method: 'PUT', path: '^/n/[^/]+/b/[^/]+/o/rcdebug(/|%2F)' });
    const { result, state } = await withWorkers({ taskQueue, clouds: ['oci'], providers: { oci: provider() } }, async () => {
      const h = await startCycle(client, { rc: 'v1.4.0-rc2', taskQueue, clouds: ['oci'], flavors: ['kasan'], manifest: r.manifest, soak });
      const res = await h.result();
      return { result: res, state: await childState(client, childId) };
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
    expect(kernel.kernelRelease).toBe('5.15.0-rcdebug-kasan');
    expect(kernel.artifacts.reproducer).toMatch(/^oci:\/\/rcdebugns\/rcdebug-test\/kernels\/oci\/kasan\/[0-9a-f]{40}\/reproduce\.sh$/);
    expect(image.imageId).toMatch(/^ocid1\.image\./);
    expect(r.api.state.images.get(image.imageId)?.freeformTags).toMatchObject({ 'rcdebug-digest': image.digest, 'rcdebug-cycle': childId, 'rcdebug-flavor': 'kasan' });
    expect(published.paths).toContain(`/rcdebug/oci/kasan/5.15.0-rcdebug-kasan/${image.digest}/image-id`);
    expect(r.api.state.objects.get('rcdebug-test')?.get('rcdebug/oci/kasan/latest')?.body.toString()).toBe(`5.15.0-rcdebug-kasan/${image.digest}`);
    expect(cluster.details.workloadClusterId).toMatch(/^ocid1\.cluster\./);
    expect(cluster.details.workloadNodePoolId).toMatch(/^ocid1\.nodepool\./);
    expect(cluster.nodes).toHaveLength(2);
    expect(deploy.releases).toEqual([
      `${cluster.details.cpCluster}/debug-cp/controlplane@v0.1.9`,
      `${cluster.details.workloadCluster}/riptides-system/agent@v0.1.17`,
    ]);
    expect(state.teardown).toBe('done');
    expect(state.steps.find((s) => s.name === 'version-publish')?.attempts).toBe(2);
    expect(result.newFindings).toHaveLength(1);
    // packer got the stand-in's variables; helm a private kubeconfig with a verified OKE token.
    const bake = r.calls().find((c) => c.tool === 'packer' && c.argv[0] === 'build' && c.argv.at(-1)?.endsWith('image-bake'));
    expect(bake?.argv).toContain(`kernel_release=${kernel.kernelRelease}`);
    expect(bake?.argv.join(' ')).not.toContain('PRIVATE KEY');
    const helm = r.calls().filter((c) => c.tool === 'helm');
    expect(helm.map((c) => c.kubeconfig)).toEqual([
      expect.objectContaining({ exists: true, mode: '600', hasOkeToken: true }),
      expect.objectContaining({ exists: true, mode: '600', hasOkeToken: true }),
    ]);
    expect(destroyedWorkspaces()).toContain(safeName(childId));
    expect(runningInstances(childId)).toBe(0);
    // Console captures and Run Command went through the signed API.
    expect(r.api.state.requests.filter((q: { path: string }) => q.path.endsWith('/instanceConsoleHistories')).length).toBeGreaterThan(0);
    expect(r.api.state.requests.every((q: { signed: boolean }) => q.signed)).toBe(true);
    // No credential reached the workflow history.
    const history = JSON.stringify(await client.workflow.getHandle(childId).fetchHistory());
    expect(history).not.toContain('cluster_request');
    expect(history).not.toContain('PRIVATE KEY');
  }, CYCLE_TIMEOUT_MS);

  it('a chart missing from the registry parks the cycle at deploy; abort tears the clusters down', async () => {
    const client = await testClient();
    const taskQueue = uniqueQueue('oci-nochart');
    const childId = `${taskQueue}-cycle.oci-kasan`;
    process.env.RCDEBUG_STANDIN_CHARTS = 'ghcr.io/riptideslabs/helm/controlplane:v0.1.9';
    try {
      const result = await withWorkers({ taskQueue, clouds: ['oci'], providers: { oci: provider() } }, async () => {
        const h = await startCycle(client, { rc: 'v1.4.0-rc3', taskQueue, clouds: ['oci'], flavors: ['kasan'], manifest: r.manifest, soak });
        const child = client.workflow.getHandle(childId);
        const parked = await eventually(async () => {
          const s = await child.query(stateQuery);
          return s.phase === 'awaiting-operator' ? s : undefined;
        }, 240_000, 'deploy to park');
        const deploy = parked.steps.find((s) => s.name === 'deploy');
        expect(deploy?.error?.type).toBe('UserError');
        expect(deploy?.error?.message).toContain('oci://ghcr.io/riptideslabs/helm/agent version v0.1.17 is not in the registry');
        expect(runningInstances(childId)).toBe(3);
        await child.executeUpdate(abortUpdate, { args: [{ reason: 'chart not published' }] });
        return { verdict: (await h.result()).verdict, teardown: (await childState(client, childId)).teardown };
      });
      expect(result.verdict).toBe('aborted');
      expect(result.teardown).toBe('done');
      expect(destroyedWorkspaces()).toContain(safeName(childId));
      expect(runningInstances(childId)).toBe(0);
    } finally {
      process.env.RCDEBUG_STANDIN_CHARTS = CHARTS;
    }
  }, CYCLE_TIMEOUT_MS);

  it('cancel during the soak runs terraform destroy', async () => {
    const client = await testClient();
    const taskQueue = uniqueQueue('oci-cancel');
    const childId = `${taskQueue}-cycle.oci-kasan`;
    const err = await withWorkers({ taskQueue, clouds: ['oci'], providers: { oci: provider() } }, async () => {
      const h = await startCycle(client, { rc: 'v1.4.0-rc4', taskQueue, clouds: ['oci'], flavors: ['kasan'], manifest: r.manifest, soak: { ...soak, durationSeconds: 600 } });
      await eventually(async () => (await childState(client, childId)).currentStep === 'soak', 240_000, 'the soak to start');
      expect(runningInstances(childId)).toBe(3);
      await h.cancel();
      return h.result().then(() => undefined, (e: unknown) => e);
    });
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(destroyedWorkspaces()).toContain(safeName(childId));
    expect(runningInstances(childId)).toBe(0);
  }, CYCLE_TIMEOUT_MS);
});
