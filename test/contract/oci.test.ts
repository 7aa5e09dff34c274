// The cloud contract for `oci`, against the OCI API stand-in (an HTTP stand-in that answers
// the OCI SDK models' shapes and verifies request signatures: it proves the wiring, not OCI)
// with the recording stand-ins of packer, terraform and helm (test/oci/rehearsal.ts).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ociClients, type OciClients } from '../../activities/providers/oci/clients';
import { createOciProvider } from '../../activities/providers/oci/index';
import { objectRegistry } from '../../activities/providers/oci/object-registry';
import type { StepContext } from '../../src/domain/contract';
import { ociStepContext, startOciRehearsal, type OciRehearsal } from '../oci/rehearsal';
import { packerThatNeverFinishes, type ContractFixture } from './fixture';
import { contractSuite } from './suite';

let r: OciRehearsal;
let clients: OciClients;
/** Set by `userError`: the next connect finds a key file that is not a private key. */
let badKeyOnce = false;

const kernel = (release = '5.15.0-rcdebug-kasan') => ({ digest: 'd'.repeat(40), kernelRelease: release, configDigest: `sha256:${'c'.repeat(64)}`, cacheHit: false, artifacts: { kernel: '', log: '', reproducer: '', config: '' } });

async function debugImage(): Promise<string> {
  const res = await fetch(`${r.api.endpoint}/_standin/images`, { method: 'POST', body: JSON.stringify({ compartmentId: r.env.RCDEBUG_OCI_COMPARTMENT, displayName: 'rcdebug-kasan', freeformTags: { 'rcdebug-managed': 'true', 'rcdebug-kernel-release': '5.15.0-rcdebug-kasan' } }) });
  return ((await res.json()) as { id: string }).id;
}

const fixture: ContractFixture = {
  cloud: 'oci',
  async start() {
    r = await startOciRehearsal();
    clients = ociClients({ endpoint: r.api.endpoint });
  },
  async stop() {
    clients?.close();
    await r?.close();
  },
  provider: () => createOciProvider({
    pollMs: 20,
    options: { stateDir: r.stateDir, kmemleakWaitSeconds: 1 },
    connect() {
      if (badKeyOnce) {
        badKeyOnce = false;
        const pub = join(r.dir, 'oci_api_key_public.pem');
        writeFileSync(pub, '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----\n');
        return ociClients({ endpoint: r.api.endpoint, credentials: undefined, keyFile: pub });
      }
      return ociClients({ endpoint: r.api.endpoint });
    },
  }),
  context: (cycleId) => ociStepContext(r, cycleId),
  registry: () => objectRegistry({ client: clients.objectStorage, namespace: r.api.namespace, bucket: r.env.RCDEBUG_OCI_BUCKET! }),
  async provision(ctx: StepContext) {
    const image = { imageId: await debugImage(), digest: 'e'.repeat(40), cacheHit: false, artifacts: {} };
    return fixture.provider().clusterProvision({ ctx, kernel: kernel(), image }, { progress() {}, signal: new AbortController().signal, attempt: 1 });
  },
  async running(_ctx, cluster) {
    const ids = new Set(cluster.nodes.map((n) => n.details?.instanceId ?? n.name));
    return [...r.api.state.instances.values()].some((i: { id: string; lifecycleState: string }) => ids.has(i.id) && i.lifecycleState === 'RUNNING');
  },
  async panicOnConsole(_ctx, cluster, line) {
    const instanceId = cluster.nodes[0]!.details!.instanceId;
    await fetch(`${r.api.endpoint}/_standin/console`, { method: 'POST', body: JSON.stringify({ instanceId, text: `${line}\n` }) });
  },
  async userError(ctx) {
    badKeyOnce = true;
    return { call: { step: 'kernelBuild', input: { ctx } }, field: 'OCI_CLI_KEY_FILE' };
  },
  async infraError(ctx) {
    // Object Storage throttles every attempt the SDK makes: the registry look-up fails, to be retried by the activity.
    r.api.inject({ status: 429, times: 3, method: 'GET', path: '/o$' });
    const image = { imageId: 'ocid1.image.oc1..contract', digest: 'b'.repeat(40), cacheHit: false, artifacts: {} };
    return { call: { step: 'versionPublish', input: { ctx, kernel: kernel(), image } }, message: /ListObjects .*429 TooManyRequests/ };
  },
  async longRunning(ctx) {
    return packerThatNeverFinishes(r.dir, ctx, r.env.RCDEBUG_PACKER);
  },
};

contractSuite(fixture);
