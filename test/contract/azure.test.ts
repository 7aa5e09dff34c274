// The cloud contract for `azure`: Blob Storage on Azurite (real emulator), the management and
// data planes on the TLS STAND-IN of test/fixtures/azure-standins/arm-standin.mjs, and the
// recording stand-ins of packer, terraform and helm (test/azure/rehearsal.ts). The stand-in
// also gives what it alone can: throttling, and a panic in a VM's serial log.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { appConfigRegistry } from '../../activities/providers/azure/appconfig-registry';
import type { ClusterProvisionOutput, StepContext } from '../../src/domain/contract';
import { throttle } from '../fixtures/azure-standins/arm-standin.mjs';
import { MANIFEST, SUBSCRIPTION, recordingIO, startRehearsal, stepContext, type Rehearsal } from '../azure/rehearsal';
import { packerThatNeverFinishes, type ContractFixture } from './fixture';
import { contractSuite } from './suite';

let r: Rehearsal;

const vmId = (cluster: ClusterProvisionOutput, i: number) => {
  const d = cluster.nodes[i]!.details!;
  return `/subscriptions/${SUBSCRIPTION}/resourceGroups/${d.resourceGroup}/providers/Microsoft.Compute/virtualMachineScaleSets/${d.vmss}/virtualMachines/${d.instanceId}`;
};

export const GALLERY_VERSION_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rcdebug/providers/Microsoft.Compute/galleries/rcdebug_images/images/rcdebug-kasan/versions/10400.2.12345`;

const fixture: ContractFixture = {
  cloud: 'azure',
  async start() {
    r = await startRehearsal();
    // The gallery version the fixture's clusters boot, as image-bake would have left it.
    r.arm.put(GALLERY_VERSION_ID, { location: 'westeurope', tags: { 'rcdebug-kernel-release': '6.8.0-1021-rcdebug-kasan' } });
  },
  async stop() {
    await r?.close();
  },
  provider: () => r.provider(),
  context: (cycleId) => stepContext(r, cycleId),
  registry: () => appConfigRegistry(r.clients.appConfig!),
  provision(ctx: StepContext) {
    const kernel = { digest: 'd'.repeat(40), kernelRelease: '6.8.0-1021-rcdebug-kasan', configDigest: `sha256:${'c'.repeat(64)}`, cacheHit: false, artifacts: { kernel: '', log: '', reproducer: '', config: '' } };
    const image = { imageId: GALLERY_VERSION_ID, digest: 'e'.repeat(40), cacheHit: false, artifacts: {} };
    return fixture.provider().clusterProvision({ ctx, kernel, image }, recordingIO());
  },
  async running(_ctx, cluster) {
    return r.arm.running(`/subscriptions/${SUBSCRIPTION}/resourceGroups/${cluster.details.resourceGroup}/`).length > 0;
  },
  async panicOnConsole(_ctx, cluster, line) {
    r.arm.setSerial(vmId(cluster, 0), `[    0.000000] Linux version 6.8.0-1021-rcdebug-kasan\n${line}\n`);
  },
  async userError(ctx) {
    // The azure stack builds both clusters in one region: two regions are refused naming the field.
    const manifest = join(r.dir, 'manifest', 'contract-bad.yaml');
    writeFileSync(manifest, MANIFEST.replace('clusterRegion: westeurope', 'clusterRegion: northeurope'));
    return { call: { step: 'kernelBuild', input: { ctx: { ...ctx, manifest } } }, field: 'cpCluster.clusterRegion' };
  },
  async infraError(ctx) {
    // App Configuration throttles every attempt the SDK makes (429, Retry-After 0): the registry
    // look-up fails with an InfraError, to be retried by the activity.
    // Only this case's flavor is throttled, so no other case meets a fault left over.
    r.arm.inject(throttle(0), 10, (op: string, url: URL) => op === 'GET /kv' && (url.searchParams.get('key') ?? '').startsWith('/rcdebug/azure/kcsan/'));
    const kernel = { digest: 'a'.repeat(40), kernelRelease: '6.8.0-1021-rcdebug-kasan', configDigest: `sha256:${'c'.repeat(64)}`, cacheHit: false, artifacts: { kernel: '', log: '', reproducer: '', config: '' } };
    const image = { imageId: GALLERY_VERSION_ID, digest: 'b'.repeat(40), cacheHit: false, artifacts: {} };
    return { call: { step: 'versionPublish', input: { ctx: { ...ctx, flavor: 'kcsan' }, kernel, image } }, message: /App Configuration list .*429 TooManyRequests/ };
  },
  async longRunning(ctx) {
    return packerThatNeverFinishes(r.dir, ctx, r.env.RCDEBUG_PACKER);
  },
};

contractSuite(fixture);
