/**
 * The dry rehearsal of the gcp cloud for tests: fake-gcs-server (the Cloud Storage emulator)
 * with the artifacts bucket, the HTTP stand-in of the Google management APIs seeded with the
 * Ubuntu source image family, the recording stand-ins of packer/terraform/helm on the tool
 * variables, a manifest in a temp folder, and the environment put back afterwards.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { OAuth2Client } from 'google-auth-library';
import { connectGcp, type GcpClients } from '../../activities/providers/gcp/config';
import type { StepContext } from '../../src/domain/contract';
import { repoRoot } from '../../src/domain/paths';
import { startGcpStandin } from '../fixtures/gcp-standins/gcp-api-standin.mjs';
import { startFakeGcs, type FakeGcs } from '../support/fake-gcs';
import { recordingIO, rehearsalContext, rehearsalFolder, rehearsalManifest, standinCalls, standinEnv, swapEnv, type StandinCall as Call } from '../support/rehearsal';

export { recordingIO };

type Standin = Awaited<ReturnType<typeof startGcpStandin>>;

export type StandinCall = Call<{ hasCredentials?: boolean }>;

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
export const MANIFEST = rehearsalManifest('europe-west1');

/** A token the stand-in accepts (it checks none); the clients still send it as Google's would. */
export function standinAuth(): OAuth2Client {
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: 'standin-token', expiry_date: Date.now() + 3_600_000 });
  return auth;
}

export async function startGcpRehearsal(): Promise<GcpRehearsal> {
  const { dir, manifest, kernelLog } = rehearsalFolder('gcp', 'europe-west1');
  const gcs = await startFakeGcs();
  const api = await startGcpStandin();
  const bucket = 'rcdebug-rehearsal';
  await gcs.createBucket(bucket);
  await fetch(`${api.endpoint}/_standin/image`, { method: 'POST', body: JSON.stringify({ name: 'ubuntu-2404-noble-amd64-v20260101', project: 'ubuntu-os-cloud', family: 'ubuntu-2404-lts-amd64', labels: {} }) });
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
    ...standinEnv(dir, kernelLog),
  };
  const restoreEnv = swapEnv(env);
  return {
    gcs, api, dir, manifest, bucket, env, project: PROJECT,
    stateDir: join(dir, 'state', 'gcp'),
    clients: () => connectGcp({ project: PROJECT, apiEndpoint: api.endpoint, storageEndpoint: gcs.endpoint, authClient: standinAuth() }),
    calls: () => standinCalls(env.RCDEBUG_STANDIN_LOG!),
    async close() {
      restoreEnv();
      await api.stop();
      await gcs.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function gcpContext(r: GcpRehearsal, cycleId: string, patch: Partial<StepContext> = {}): StepContext {
  return rehearsalContext('gcp', r.manifest, cycleId, patch, 'v1.4.0-RC2');
}
