/**
 * The dry rehearsal of the gcp cloud for tests: fake-gcs-server (the Cloud Storage emulator)
 * with the artifacts bucket, the HTTP stand-in of the Google management APIs seeded with the
 * Ubuntu source image family, the recording stand-ins of packer/terraform/helm on the tool
 * variables, a manifest in a temp folder, and the environment put back afterwards.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OAuth2Client } from 'google-auth-library';
import { connectGcp, type GcpClients } from '../../activities/providers/gcp/config';
import type { StepContext, StepIO, StepProgress } from '../../src/domain/contract';
import { repoRoot } from '../../src/domain/paths';
import { startGcpStandin } from '../fixtures/gcp-standins/gcp-api-standin.mjs';
import { startFakeGcs, type FakeGcs } from '../support/fake-gcs';

type Standin = Awaited<ReturnType<typeof startGcpStandin>>;

export interface StandinCall {
  tool: 'packer' | 'terraform' | 'helm';
  argv: string[];
  env: Record<string, string>;
  kubeconfig?: { exists: boolean; mode?: string; hasCredentials?: boolean; server?: string };
}

export interface GcpRehearsal {
  gcs: FakeGcs;
  api: Standin;
  dir: string;
  manifest: string;
  stateDir: string;
  bucket: string;
  project: string;
  env: Record<string, string>;
  /** Clients on the emulator and the stand-in, with a stand-in token. */
  clients(): Promise<GcpClients>;
  calls(): StandinCall[];
  close(): Promise<void>;
}

export const PROJECT = 'rcdebug-rehearsal';
export const CHARTS = 'ghcr.io/riptideslabs/helm/controlplane:v0.1.9,ghcr.io/riptideslabs/helm/agent:v0.1.17';
export const MANIFEST = `cpCluster:
  clusterName: riptides-controlplane
  clusterRegion: europe-west1
  deployments:
    controlplane: { chart: controlplane, version: v0.1.9, registry: ghcr.io/riptideslabs/helm, namespace: debug-cp, valuesFile: cp-values.yaml }
workloadCluster:
  clusterName: riptides-debug-apps
  clusterRegion: europe-west1
  deployments:
    agent: { chart: agent, version: v0.1.17, registry: ghcr.io/riptideslabs/helm, namespace: riptides-system, valuesFile: agent-values.yaml }
`;

/** A token the stand-in accepts (it checks none); the clients still send it as Google's would. */
export function standinAuth(): OAuth2Client {
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: 'standin-token', expiry_date: Date.now() + 3_600_000 });
  return auth;
}

export async function startGcpRehearsal(): Promise<GcpRehearsal> {
  const dir = mkdtempSync(join(tmpdir(), 'rcdebug-gcp-'));
  const gcs = await startFakeGcs();
  const api = await startGcpStandin();
  const bucket = 'rcdebug-rehearsal';
  await gcs.createBucket(bucket);
  await fetch(`${api.endpoint}/_standin/image`, { method: 'POST', body: JSON.stringify({ name: 'ubuntu-2404-noble-amd64-v20260101', project: 'ubuntu-os-cloud', family: 'ubuntu-2404-lts-amd64', labels: {} }) });
  mkdirSync(join(dir, 'manifest'));
  writeFileSync(join(dir, 'manifest', 'cp-values.yaml'), 'replicaCount: 1\n');
  writeFileSync(join(dir, 'manifest', 'agent-values.yaml'), 'logLevel: debug\n');
  const manifest = join(dir, 'manifest', 'gcp.yaml');
  writeFileSync(manifest, MANIFEST);
  const kasan = readFileSync(join(repoRoot, 'test', 'fixtures', 'findings', 'kbug-kasan-uaf'), 'utf8');
  writeFileSync(join(dir, 'kernel.log'), kasan.slice(kasan.indexOf('\n\n') + 2));
  const standins = join(repoRoot, 'test', 'fixtures', 'gcp-standins');
  const env: Record<string, string> = {
    GOOGLE_CLOUD_PROJECT: PROJECT,
    GOOGLE_OAUTH_ACCESS_TOKEN: 'standin-token',
    RCDEBUG_GCS_BUCKET: bucket,
    RCDEBUG_GCS_ENDPOINT: gcs.endpoint,
    RCDEBUG_GCP_API_ENDPOINT: api.endpoint,
    RCDEBUG_PACKER: join(standins, 'packer-standin'),
    RCDEBUG_TERRAFORM: join(standins, 'terraform-standin'),
    RCDEBUG_HELM: join(standins, 'helm-standin'),
    RCDEBUG_STANDIN_LOG: join(dir, 'standin-calls.jsonl'),
    RCDEBUG_STANDIN_KERNEL_LOG: join(dir, 'kernel.log'),
    RCDEBUG_STANDIN_CHARTS: CHARTS,
    RCDEBUG_HOME: join(dir, 'state'),
  };
  const saved = new Map(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  return {
    gcs, api, dir, manifest, bucket, env, project: PROJECT,
    stateDir: join(dir, 'state', 'gcp'),
    clients: () => connectGcp({ project: PROJECT, apiEndpoint: api.endpoint, storageEndpoint: gcs.endpoint, authClient: standinAuth() }),
    calls() {
      try {
        return readFileSync(env.RCDEBUG_STANDIN_LOG!, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as StandinCall);
      } catch {
        return [];
      }
    },
    async close() {
      for (const [k, v] of saved) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await api.stop();
      await gcs.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A StepIO that records progress. */
export function recordingIO(): StepIO & { messages: string[]; abort: AbortController } {
  const abort = new AbortController();
  const messages: string[] = [];
  return { progress: (p: StepProgress) => messages.push(p.message), signal: abort.signal, attempt: 1, messages, abort };
}

export function gcpContext(r: GcpRehearsal, cycleId: string, patch: Partial<StepContext> = {}): StepContext {
  return {
    cycleId, rc: 'v1.4.0-RC2', cloud: 'gcp', flavor: 'kasan',
    module: { name: 'kbug', source: 'kernel/examples/kbug', version: '0.3.0' },
    manifest: r.manifest,
    soak: { durationSeconds: 10, checkIntervalSeconds: 5, scanIntervalSeconds: 5 },
    ...patch,
  };
}
