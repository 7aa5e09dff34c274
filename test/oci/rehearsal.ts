/**
 * The dry rehearsal of the oci cloud for tests: the OCI API stand-in (an HTTP stand-in, not
 * OCI) with a fresh test API key, the recording stand-ins of packer/terraform/helm on the tool
 * variables, a manifest in a temp folder, and the environment put back afterwards.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StepContext } from '../../src/domain/contract';
import { repoRoot } from '../../src/domain/paths';
import { startStandinWithKey } from '../fixtures/oci-standins/oci-api-standin.mjs';

export interface StandinCall {
  tool: 'packer' | 'terraform' | 'helm';
  argv: string[];
  env: Record<string, string>;
  kubeconfig?: { exists: boolean; mode?: string; hasOkeToken?: boolean; server?: string };
}

type Api = Awaited<ReturnType<typeof startStandinWithKey>>['api'];

export interface OciRehearsal {
  api: Api;
  dir: string;
  manifest: string;
  stateDir: string;
  env: Record<string, string>;
  calls(): StandinCall[];
  close(): Promise<void>;
}

export const CHARTS = 'ghcr.io/riptideslabs/helm/controlplane:v0.1.9,ghcr.io/riptideslabs/helm/agent:v0.1.17';

export const MANIFEST = `cpCluster:
  clusterName: riptides-controlplane
  clusterRegion: eu-frankfurt-1
  deployments:
    controlplane: { chart: controlplane, version: v0.1.9, registry: ghcr.io/riptideslabs/helm, namespace: debug-cp, valuesFile: cp-values.yaml }
workloadCluster:
  clusterName: riptides-debug-apps
  clusterRegion: eu-frankfurt-1
  deployments:
    agent: { chart: agent, version: v0.1.17, registry: ghcr.io/riptideslabs/helm, namespace: riptides-system, valuesFile: agent-values.yaml }
`;

/** The kernel messages the workload node ships: the KASAN report fixture of the findings tests. */
function kasanLog(): string {
  const text = readFileSync(join(repoRoot, 'test', 'fixtures', 'findings', 'kbug-kasan-uaf'), 'utf8');
  return text.slice(text.indexOf('\n\n') + 2);
}

export async function startOciRehearsal(): Promise<OciRehearsal> {
  const dir = mkdtempSync(join(tmpdir(), 'rcdebug-oci-'));
  const { api, env: standin } = await startStandinWithKey(join(dir, 'key'));
  mkdirSync(join(dir, 'manifest'));
  writeFileSync(join(dir, 'manifest', 'cp-values.yaml'), 'replicaCount: 1\n');
  writeFileSync(join(dir, 'manifest', 'agent-values.yaml'), 'logLevel: debug\n');
  const manifest = join(dir, 'manifest', 'oci.yaml');
  writeFileSync(manifest, MANIFEST);
  writeFileSync(join(dir, 'kernel.log'), kasanLog());
  const env: Record<string, string> = {
    ...standin,
    RCDEBUG_STANDIN_KERNEL_LOG: join(dir, 'kernel.log'),
    RCDEBUG_STANDIN_CHARTS: CHARTS,
    RCDEBUG_HOME: join(dir, 'state'),
  };
  const saved = new Map(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  return {
    api,
    dir,
    manifest,
    stateDir: join(dir, 'state', 'oci'),
    env,
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
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function ociStepContext(r: OciRehearsal, cycleId: string, patch: Partial<StepContext> = {}): StepContext {
  return {
    cycleId,
    rc: 'v1.4.0-rc2',
    cloud: 'oci',
    flavor: 'kasan',
    module: { name: 'kbug', source: 'kernel/examples/kbug', version: '0.3.0' },
    manifest: r.manifest,
    soak: { durationSeconds: 10, checkIntervalSeconds: 5, scanIntervalSeconds: 5 },
    ...patch,
  };
}
