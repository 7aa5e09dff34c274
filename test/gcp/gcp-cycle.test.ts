import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectGcp } from '../../activities/providers/gcp/config';
import { createGcpProvider } from '../../activities/providers/gcp/index';
import { safeName } from '../../activities/providers/gcp/step-context';
import { CYCLE_TIMEOUT_MS, cancelDuringSoakDestroys, childState, cycleInput, destroyedWorkspaces, expectHappyEnd, rigWorkers, runCycle, type CycleRig } from '../support/cloud-cycle';
import { eventually, startCycle, testClient, uniqueQueue, withWorkers } from '../support/engine';
import { standinAuth, startGcpRehearsal, type GcpRehearsal } from './rehearsal';

// The whole cloudCycle on `gcp` through the real dev server: Cloud Storage on fake-gcs-server,
// Compute Engine, GKE, Secret Manager and Cloud Logging on the HTTP stand-in (NOT Google),
// packer, terraform and helm replaced by the recording stand-ins of test/fixtures/gcp-standins/.
// This proves the wiring (arguments, outputs parsed back, compensation), not the cloud.

let r: GcpRehearsal;
beforeAll(async () => {
  r = await startGcpRehearsal();
}, 60_000);
afterAll(async () => {
  await r?.close();
});

/** Instances the stand-in still runs for a group of the cycle. */
const liveInstances = () => r.api.state.instances.size;

const rig: CycleRig = {
  cloud: 'gcp',
  rc: 'v1.4.0-RC2',
  manifest: () => r.manifest,
  provider: () => createGcpProvider({
    connect: (o) => connectGcp({ project: o.project!, apiEndpoint: o.apiEndpoint, storageEndpoint: o.storageEndpoint, authClient: standinAuth() }),
    pollMs: 50,
    options: { stateDir: r.stateDir, kmemleakWaitSeconds: 1, clusterWaitSeconds: 60 },
  }),
  calls: () => r.calls(),
  running: liveInstances,
  safeName,
};

describe('cloudCycle on gcp (fake-gcs-server + API stand-in + recording stand-ins) through the real dev server', () => {
  it('runs to the end: image, registry objects, clusters, releases, a kmemleak scan, findings; torn down', async () => {
    // Compute throttles every attempt of the first source-image look-up: kernel-build fails with
    // an InfraError and Temporal's retry policy runs it again; nothing of it becomes a finding.
    r.api.inject({ status: 429, headers: { 'retry-after': '0' }, message: 'Quota exceeded' }, 3, (op: string) => op.includes('/images/family/'));
    const run = await runCycle(rig, 'happy');
    const { client, childId, state } = run;
    const { kernel, image, published, cluster } = await expectHappyEnd(rig, run);
    expect(state.steps.find((s) => s.name === 'kernel-build')?.attempts).toBe(2);
    expect(kernel.kernelRelease).toBe('6.8.0-rcdebug-kasan');
    expect(kernel.artifacts.reproducer).toBe(`gs://${r.bucket}/kernels/kasan/${kernel.digest}/reproduce.sh`);
    expect(image.imageId).toMatch(/^projects\/rcdebug-rehearsal\/global\/images\/rcdebug-kasan-/);
    expect(published.paths).toContain(`/rcdebug/gcp/kasan/6.8.0-rcdebug-kasan/${image.digest}/record.json`);
    expect(published.rcPointer).toBe('/rcdebug/rc/v1.4.0-RC2/gcp/kasan');
    expect(cluster.details.workloadCluster).toMatch(/^riptides-debug-apps-/);
    // The arguments the tools were given: label values in GCP's charset, the image family, the gcs backend.
    const packerBake = r.calls().find((c) => c.tool === 'packer' && c.argv[0] === 'build' && c.argv.at(-1)!.endsWith('image-bake.pkr.hcl'))!;
    expect(packerBake.argv).toContain('rc_label=v1_4_0-rc2');
    expect(packerBake.argv).toContain('image_family=rcdebug-kasan');
    const init = r.calls().find((c) => c.tool === 'terraform' && c.argv[0] === 'init')!;
    expect(init.argv).toContain(`-backend-config=bucket=${r.bucket}`);
    // helm got private kubeconfigs with credentials: GKE's token for the cpCluster, the Secret Manager one for the workload cluster.
    const helms = r.calls().filter((c) => c.tool === 'helm');
    expect(helms.map((c) => c.kubeconfig)).toEqual([
      expect.objectContaining({ exists: true, mode: '600', hasCredentials: true }),
      expect.objectContaining({ exists: true, mode: '600', hasCredentials: true }),
    ]);
    // The kmemleak DaemonSet was installed and rolled for a scan; each node printed its result.
    expect(r.api.calls).toContain('POST /apis/apps/v1/namespaces/kube-system/daemonsets');
    expect(r.api.calls).toContain('PATCH /apis/apps/v1/namespaces/kube-system/daemonsets/rcdebug-kmemleak');
    // No credential reached the workflow history.
    const history = JSON.stringify(await client.workflow.getHandle(childId).fetchHistory());
    expect(history).not.toContain('standin-admin-token');
    expect(history).not.toContain('standin-token');
  }, CYCLE_TIMEOUT_MS);

  it('a failing terraform apply is retried (an InfraError); cancelling then runs terraform destroy', async () => {
    const client = await testClient();
    const taskQueue = uniqueQueue('gcp-applyfail');
    const childId = `${taskQueue}-cycle.gcp-kasan`;
    process.env.RCDEBUG_STANDIN_FAIL = 'terraform:apply';
    try {
      const err = await withWorkers(rigWorkers(rig, taskQueue), async () => {
        const h = await startCycle(client, cycleInput(rig, taskQueue));
        await eventually(async () => {
          const s = await childState(client, childId);
          return (s.steps.find((x) => x.name === 'cluster-provision')?.attempts ?? 0) >= 2 ? s : undefined;
        }, 240_000, 'cluster-provision to be retried');
        await h.cancel();
        return h.result().then(() => undefined, (e: unknown) => e);
      });
      expect(err).toBeInstanceOf(WorkflowFailedError);
      expect(destroyedWorkspaces(rig)).toContain(safeName(childId));
    } finally {
      delete process.env.RCDEBUG_STANDIN_FAIL;
    }
  }, CYCLE_TIMEOUT_MS);

  it('cancel during the soak runs terraform destroy', () => cancelDuringSoakDestroys(rig, { runningDuringSoak: 2 }), CYCLE_TIMEOUT_MS);
});
