import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeName } from '../../activities/providers/azure/step-context';
import type { ClusterProvisionOutput, DeployOutput, ImageBakeOutput, KernelBuildOutput, VersionPublishOutput } from '../../src/domain/contract';
import { abortUpdate, stateQuery, type CloudCycleState } from '../../src/domain/cycle-state';
import { throttle } from '../fixtures/azure-standins/arm-standin.mjs';
import { eventually, startCycle, testClient, uniqueQueue, withWorkers } from '../support/engine';
import { CHARTS, SUBSCRIPTION, startRehearsal, type Rehearsal } from './rehearsal';

// The whole cloudCycle on `azure` through the real dev server: Blob Storage on Azurite, the
// management plane on the TLS stand-in, packer/terraform/helm replaced by the recording
// stand-ins of test/fixtures/azure-standins/. This proves the wiring (arguments, outputs
// parsed back, compensation), not the cloud.

let r: Rehearsal;
beforeAll(async () => {
  r = await startRehearsal();
}, 120_000);
afterAll(async () => {
  await r?.close();
});

const soak = { durationSeconds: 2, checkIntervalSeconds: 1, scanIntervalSeconds: 1 };
const CYCLE_TIMEOUT_MS = 360_000;

async function childState(client: Awaited<ReturnType<typeof testClient>>, id: string): Promise<CloudCycleState> {
  return client.workflow.getHandle(id).query(stateQuery);
}

function output<T>(state: CloudCycleState, step: string): T {
  return state.steps.find((s) => s.name === step)?.output as T;
}

/** Running workload VMs of a cycle in the stand-in (its resource group is named from the cycle id by terraform/azure). */
function runningVms(): number {
  return r.arm.running(`/subscriptions/${SUBSCRIPTION}/resourceGroups/rcdebug-`).length;
}

function destroyedWorkspaces(): string[] {
  return r.calls().filter((c) => c.tool === 'terraform' && c.argv[0] === 'workspace' && c.argv[1] === 'delete').map((c) => c.argv[2]!);
}

describe('cloudCycle on azure (Azurite + management-plane stand-in + recording stand-ins) through the real dev server', () => {
  it('runs to the end: gallery version, registry keys, cluster names and Helm releases in the state; findings; torn down', async () => {
    const client = await testClient();
    const taskQueue = uniqueQueue('azure-happy');
    const childId = `${taskQueue}-cycle.azure-kasan`;
    // App Configuration throttles every attempt of the first write (429, Retry-After): the
    // activity fails with an InfraError and Temporal's retry runs it again; no finding comes of it.
    r.arm.inject(throttle(0), 3, (op: string) => op.startsWith('PUT /kv/'));
    const { result, state } = await withWorkers({ taskQueue, clouds: ['azure'], providers: { azure: r.provider() } }, async () => {
      const h = await startCycle(client, { rc: 'v1.4.0-rc2', taskQueue, clouds: ['azure'], flavors: ['kasan'], manifest: r.manifest, soak });
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
    expect(kernel.kernelRelease).toBe('6.8.0-1021-rcdebug-kasan');
    // rc v1.4.0-rc2 → Major 10400, Minor 2; Patch from the digest.
    expect(image.imageId).toMatch(/\/galleries\/rcdebug_images\/images\/rcdebug-kasan\/versions\/10400\.2\.\d+$/);
    expect(image.imageId.split('/').pop()).toBe(`10400.2.${Number.parseInt(image.digest.slice(0, 7), 16)}`);
    expect(published.paths).toContain(`/rcdebug/azure/kasan/6.8.0-1021-rcdebug-kasan/${image.digest}/image-id`);
    expect(published.paths).toContain(`/rcdebug/azure-gallery/kasan/${image.imageId.split('/').pop()}`);
    expect(cluster.details.cpCluster).toMatch(/^riptides-controlplane-[0-9a-f]{8}$/);
    expect(cluster.details.workloadCluster).toMatch(/^riptides-debug-apps-[0-9a-f]{8}$/);
    expect(cluster.nodes).toHaveLength(2);
    expect(deploy.releases).toEqual([
      `${cluster.details.cpCluster}/debug-cp/controlplane@v0.1.9`,
      `${cluster.details.workloadCluster}/riptides-system/agent@v0.1.17`,
    ]);
    expect(state.teardown).toBe('done');
    expect(state.steps.find((s) => s.name === 'version-publish')?.attempts).toBe(2);
    expect(result.newFindings).toHaveLength(1);
    expect(destroyedWorkspaces()).toContain(safeName(childId));
    expect(runningVms()).toBe(0);
    // helm got private kubeconfig files with a token, for the AKS cluster and the kubeadm one.
    const helm = r.calls().filter((c) => c.tool === 'helm');
    expect(helm.map((c) => c.kubeconfig?.cluster)).toEqual([cluster.details.cpCluster, cluster.details.workloadCluster]);
    for (const c of helm) expect(c.kubeconfig).toMatchObject({ exists: true, mode: '600', hasToken: true });
    // The packer image bake got the gallery version the activity mapped.
    const bake = r.calls().find((c) => c.tool === 'packer' && c.argv[0] === 'build' && c.argv.at(-1)?.endsWith('image-bake.pkr.hcl'));
    expect(bake?.argv).toContain(`gallery_version=${image.imageId.split('/').pop()}`);
    // No credential reached the workflow history.
    const history = JSON.stringify(await client.workflow.getHandle(childId).fetchHistory());
    expect(history).not.toContain('standin-token');
    expect(history).not.toContain('kubeadm-admin-standin');
  }, CYCLE_TIMEOUT_MS);

  it('a chart missing from the registry parks the cycle at deploy; abort tears the clusters down', async () => {
    const client = await testClient();
    const taskQueue = uniqueQueue('azure-nochart');
    const childId = `${taskQueue}-cycle.azure-kasan`;
    process.env.RCDEBUG_STANDIN_CHARTS = 'ghcr.io/riptideslabs/helm/controlplane:v0.1.9';
    try {
      const result = await withWorkers({ taskQueue, clouds: ['azure'], providers: { azure: r.provider() } }, async () => {
        const h = await startCycle(client, { rc: 'v1.4.0-rc2', taskQueue, clouds: ['azure'], flavors: ['kasan'], manifest: r.manifest, soak });
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
      expect(runningVms()).toBe(0);
    } finally {
      process.env.RCDEBUG_STANDIN_CHARTS = CHARTS;
    }
  }, CYCLE_TIMEOUT_MS);

  it('cancel during the soak runs terraform destroy', async () => {
    const client = await testClient();
    const taskQueue = uniqueQueue('azure-cancel');
    const childId = `${taskQueue}-cycle.azure-kasan`;
    const err = await withWorkers({ taskQueue, clouds: ['azure'], providers: { azure: r.provider() } }, async () => {
      const h = await startCycle(client, { rc: 'v1.4.0-rc2', taskQueue, clouds: ['azure'], flavors: ['kasan'], manifest: r.manifest, soak: { ...soak, durationSeconds: 600 } });
      await eventually(async () => (await childState(client, childId)).currentStep === 'soak', 240_000, 'the soak to start');
      expect(runningVms()).toBe(2);
      await h.cancel();
      return h.result().then(() => undefined, (e: unknown) => e);
    });
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(destroyedWorkspaces()).toContain(safeName(childId));
    expect(runningVms()).toBe(0);
  }, CYCLE_TIMEOUT_MS);
});
