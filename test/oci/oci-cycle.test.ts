import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOciProvider } from '../../activities/providers/oci/index';
import { safeName } from '../../activities/providers/oci/step-context';
import { CYCLE_TIMEOUT_MS, cancelDuringSoakDestroys, expectHappyEnd, missingChartParksThenAbort, runCycle, type CycleRig } from '../support/cloud-cycle';
import { startOciRehearsal, type OciRehearsal } from './rehearsal';

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

/** Instances of the cycle still RUNNING in the stand-in. */
function runningInstances(cycle: string): number {
  return [...r.api.state.instances.values()].filter((i: { lifecycleState: string; freeformTags: Record<string, string> }) => i.lifecycleState === 'RUNNING' && i.freeformTags['rcdebug-cycle'] === cycle).length;
}

const rig: CycleRig = {
  cloud: 'oci',
  manifest: () => r.manifest,
  provider: () => createOciProvider({ pollMs: 50, options: { stateDir: r.stateDir, kmemleakWaitSeconds: 1 } }),
  calls: () => r.calls(),
  running: runningInstances,
  safeName,
};

describe('cloudCycle on oci (OCI API stand-in + recording stand-ins) through the real dev server', () => {
  it('runs to the end: image OCID, registry objects, cluster and node pool ids, Helm releases in the state; findings; torn down', async () => {
    // Object Storage throttles every attempt the SDK makes on the first registry write: the
    // activity fails with an InfraError and Temporal retries it; nothing of it becomes a finding.
    r.api.inject({ status: 429, times: 3, method: 'PUT', path: '^/n/[^/]+/b/[^/]+/o/rcdebug(/|%2F)' });
    const run = await runCycle(rig, 'happy');
    const { client, childId, result, state } = run;
    const { kernel, image, published, cluster } = await expectHappyEnd(rig, run);
    expect(kernel.kernelRelease).toBe('5.15.0-rcdebug-kasan');
    expect(kernel.artifacts.reproducer).toMatch(/^oci:\/\/rcdebugns\/rcdebug-test\/kernels\/oci\/kasan\/[0-9a-f]{40}\/reproduce\.sh$/);
    expect(image.imageId).toMatch(/^ocid1\.image\./);
    expect(r.api.state.images.get(image.imageId)?.freeformTags).toMatchObject({ 'rcdebug-digest': image.digest, 'rcdebug-cycle': childId, 'rcdebug-flavor': 'kasan' });
    expect(published.paths).toContain(`/rcdebug/oci/kasan/5.15.0-rcdebug-kasan/${image.digest}/image-id`);
    expect(r.api.state.objects.get('rcdebug-test')?.get('rcdebug/oci/kasan/latest')?.body.toString()).toBe(`5.15.0-rcdebug-kasan/${image.digest}`);
    expect(cluster.details.workloadClusterId).toMatch(/^ocid1\.cluster\./);
    expect(cluster.details.workloadNodePoolId).toMatch(/^ocid1\.nodepool\./);
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
    // Console captures and Run Command went through the signed API.
    expect(r.api.state.requests.filter((q: { path: string }) => q.path.endsWith('/instanceConsoleHistories')).length).toBeGreaterThan(0);
    expect(r.api.state.requests.every((q: { signed: boolean }) => q.signed)).toBe(true);
    // No credential reached the workflow history.
    const history = JSON.stringify(await client.workflow.getHandle(childId).fetchHistory());
    expect(history).not.toContain('cluster_request');
    expect(history).not.toContain('PRIVATE KEY');
  }, CYCLE_TIMEOUT_MS);

  it('a chart missing from the registry parks the cycle at deploy; abort tears the clusters down', () => missingChartParksThenAbort(rig, { rc: 'v1.4.0-rc3', runningWhileParked: 3 }), CYCLE_TIMEOUT_MS);

  it('cancel during the soak runs terraform destroy', () => cancelDuringSoakDestroys(rig, { rc: 'v1.4.0-rc4', runningDuringSoak: 3 }), CYCLE_TIMEOUT_MS);
});
