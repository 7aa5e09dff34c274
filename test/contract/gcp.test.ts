// The cloud contract for `gcp`, against fake-gcs-server (Cloud Storage) and the HTTP stand-in
// of the Google management APIs (test/fixtures/gcp-standins/gcp-api-standin.mjs: a STAND-IN,
// not Google), with the recording stand-ins of packer, terraform and helm.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createGcpProvider } from '../../activities/providers/gcp/index';
import type { GcpClients } from '../../activities/providers/gcp/config';
import { connectGcp } from '../../activities/providers/gcp/config';
import { gcsRegistry } from '../../activities/providers/gcp/gcs-registry';
import type { StepContext } from '../../src/domain/contract';
import { gcpContext, MANIFEST, recordingIO, standinAuth, startGcpRehearsal, type GcpRehearsal } from '../gcp/rehearsal';
import { packerThatNeverFinishes, type ContractFixture } from './fixture';
import { contractSuite } from './suite';

let r: GcpRehearsal;
let clients: GcpClients;

const fixture: ContractFixture = {
  cloud: 'gcp',
  async start() {
    r = await startGcpRehearsal();
    clients = await r.clients();
  },
  async stop() {
    await clients?.close();
    await r?.close();
  },
  provider: () => createGcpProvider({
    connect: (o) => connectGcp({ project: o.project!, apiEndpoint: o.apiEndpoint, storageEndpoint: o.storageEndpoint, authClient: standinAuth() }),
    pollMs: 20,
    options: { stateDir: r.stateDir, kmemleakWaitSeconds: 1, clusterWaitSeconds: 30 },
  }),
  context: (cycleId) => gcpContext(r, cycleId),
  registry: () => gcsRegistry(clients.storage.bucket(r.bucket)),
  async provision(ctx: StepContext) {
    const kernel = { digest: 'd'.repeat(40), kernelRelease: '6.8.0-rcdebug-kasan', configDigest: `sha256-${'c'.repeat(64)}`, cacheHit: false, artifacts: { kernel: '', log: '', reproducer: '', config: '' } };
    const name = `rcdebug-kasan-contract-${ctx.cycleId.replace(/[^a-z0-9]/g, '').slice(-8)}`;
    await fetch(`${r.api.endpoint}/_standin/image`, { method: 'POST', body: JSON.stringify({ name, project: r.project, family: 'rcdebug-kasan', description: `rcdebug debug image: kernel ${kernel.kernelRelease}`, labels: { 'managed-by': 'rcdebug' } }) });
    const image = { imageId: `projects/${r.project}/global/images/${name}`, digest: 'e'.repeat(40), cacheHit: false, artifacts: {} };
    return fixture.provider().clusterProvision({ ctx, kernel, image }, recordingIO());
  },
  async running(_ctx, cluster) {
    for (const n of cluster.nodes) if (r.api.state.instances.has(`${n.details?.zone}/${n.name}`)) return true;
    return false;
  },
  async panicOnConsole(_ctx, cluster, line) {
    // Every node prints it: which node's console the check reads first is the check's business.
    for (const n of cluster.nodes) r.api.consoleOf(n.name).write(`${line}\n`);
  },
  async userError(ctx) {
    const manifest = join(r.dir, 'manifest', 'contract-bad.yaml');
    writeFileSync(manifest, MANIFEST.replace('v0.1.17', 'latest'));
    return { call: { step: 'kernelBuild', input: { ctx: { ...ctx, manifest } } }, field: 'workloadCluster.deployments.agent.version' };
  },
  async infraError(ctx) {
    // The source image family lookup of kernel-build gets 429 with Retry-After on every try.
    r.api.inject({ status: 429, headers: { 'retry-after': '0' }, message: 'Quota exceeded for quota metric read requests' }, 3, (op: string) => op.includes('/images/family/'));
    return { call: { step: 'kernelBuild', input: { ctx } }, message: /images\.getFromFamily .*Quota exceeded.*retried/ };
  },
  async longRunning(ctx) {
    return packerThatNeverFinishes(r.dir, ctx, r.env.RCDEBUG_PACKER);
  },
};

contractSuite(fixture);
