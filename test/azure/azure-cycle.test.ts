import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeName } from '../../activities/providers/azure/step-context';
import { throttle } from '../fixtures/azure-standins/arm-standin.mjs';
import { CYCLE_TIMEOUT_MS, cancelDuringSoakDestroys, expectHappyEnd, missingChartParksThenAbort, runCycle, type CycleRig } from '../support/cloud-cycle';
import { SUBSCRIPTION, startRehearsal, type Rehearsal } from './rehearsal';

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

/** Running workload VMs of a cycle in the stand-in (its resource group is named from the cycle id by terraform/azure). */
function runningVms(): number {
  return r.arm.running(`/subscriptions/${SUBSCRIPTION}/resourceGroups/rcdebug-`).length;
}

const rig: CycleRig = {
  cloud: 'azure',
  manifest: () => r.manifest,
  provider: () => r.provider(),
  calls: () => r.calls(),
  running: runningVms,
  safeName,
};

describe('cloudCycle on azure (Azurite + management-plane stand-in + recording stand-ins) through the real dev server', () => {
  it('runs to the end: gallery version, registry keys, cluster names and Helm releases in the state; findings; torn down', async () => {
    // App Configuration throttles every attempt of the first write (429, Retry-After): the
    // activity fails with an InfraError and Temporal's retry runs it again; no finding comes of it.
    r.arm.inject(throttle(0), 3, (op: string) => op.startsWith('PUT /kv/'));
    const run = await runCycle(rig, 'happy');
    const { client, childId, result, state } = run;
    const { kernel, image, published, cluster } = await expectHappyEnd(rig, run);
    expect(kernel.kernelRelease).toBe('6.8.0-1021-rcdebug-kasan');
    // rc v1.4.0-rc2 → Major 10400, Minor 2; Patch from the digest.
    expect(image.imageId).toMatch(/\/galleries\/rcdebug_images\/images\/rcdebug-kasan\/versions\/10400\.2\.\d+$/);
    expect(image.imageId.split('/').pop()).toBe(`10400.2.${Number.parseInt(image.digest.slice(0, 7), 16)}`);
    expect(published.paths).toContain(`/rcdebug/azure/kasan/6.8.0-1021-rcdebug-kasan/${image.digest}/image-id`);
    expect(published.paths).toContain(`/rcdebug/azure-gallery/kasan/${image.imageId.split('/').pop()}`);
    expect(cluster.details.cpCluster).toMatch(/^riptides-controlplane-[0-9a-f]{8}$/);
    expect(cluster.details.workloadCluster).toMatch(/^riptides-debug-apps-[0-9a-f]{8}$/);
    expect(state.steps.find((s) => s.name === 'version-publish')?.attempts).toBe(2);
    expect(result.newFindings).toHaveLength(1);
    // helm got private kubeconfig files with a token, for the AKS cluster and the kubeadm one.
    const helm = r.calls().filter((c) => c.tool === 'helm');
    expect(helm.map((c) => c.kubeconfig?.cluster)).toEqual([cluster.details.cpCluster, cluster.details.workloadCluster]);
    for (const c of helm) expect(c.kubeconfig).toMatchObject({ exists: true, mode: '600', hasToken: true });
    // The packer image bake got the gallery version the activity mapped.
    const bake = r.calls().find((c) => c.tool === 'packer' && c.argv[0] === 'build' && c.argv.at(-1)?.endsWith('image-bake'));
    expect(bake?.argv).toContain(`gallery_version=${image.imageId.split('/').pop()}`);
    // No credential reached the workflow history.
    const history = JSON.stringify(await client.workflow.getHandle(childId).fetchHistory());
    expect(history).not.toContain('standin-token');
    expect(history).not.toContain('kubeadm-admin-standin');
  }, CYCLE_TIMEOUT_MS);

  it('a chart missing from the registry parks the cycle at deploy; abort tears the clusters down', () => missingChartParksThenAbort(rig), CYCLE_TIMEOUT_MS);

  it('cancel during the soak runs terraform destroy', () => cancelDuringSoakDestroys(rig, { runningDuringSoak: 2 }), CYCLE_TIMEOUT_MS);
});
