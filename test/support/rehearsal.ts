/**
 * What every cloud's dry rehearsal shares: a temp folder with a manifest and the kernel log the
 * workload node "prints", the environment swapped in and put back, the calls the recording
 * stand-ins of packer/terraform/helm logged, and the step context and IO of the provider tests.
 * A cloud's test/<cloud>/rehearsal.ts keeps only its emulator, stand-in and seeding.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CloudName, StepContext, StepIO, StepProgress } from '../../src/domain/contract';
import { repoRoot } from '../../src/domain/paths';

/** The charts the helm stand-in says the registry holds. */
export const CHARTS = 'ghcr.io/riptideslabs/helm/controlplane:v0.1.9,ghcr.io/riptideslabs/helm/agent:v0.1.17';

/** The two-cluster manifest of the rehearsals, in the cloud's region. */
export function rehearsalManifest(region: string): string {
  return `cpCluster:
  clusterName: riptides-controlplane
  clusterRegion: ${region}
  deployments:
    controlplane: { chart: controlplane, version: v0.1.9, registry: ghcr.io/riptideslabs/helm, namespace: debug-cp, valuesFile: cp-values.yaml }
workloadCluster:
  clusterName: riptides-debug-apps
  clusterRegion: ${region}
  deployments:
    agent: { chart: agent, version: v0.1.17, registry: ghcr.io/riptideslabs/helm, namespace: riptides-system, valuesFile: agent-values.yaml }
`;
}

/** One call a recording stand-in logged; `kubeconfig` holds what helm's stand-in saw of its file. */
export interface StandinCall<K = Record<string, unknown>> {
  tool: 'packer' | 'terraform' | 'helm';
  argv: string[];
  env: Record<string, string>;
  kubeconfig?: { exists: boolean; mode?: string; server?: string } & K;
}

/** The kernel messages the workload node "prints": the KASAN report fixture of the findings tests. */
function kasanLog(): string {
  const text = readFileSync(join(repoRoot, 'test', 'fixtures', 'findings', 'kbug-kasan-uaf'), 'utf8');
  return text.slice(text.indexOf('\n\n') + 2);
}

/** A fresh temp folder with the manifest (and its values files) and the kernel log. */
export function rehearsalFolder(cloud: CloudName, region: string): { dir: string; manifest: string; kernelLog: string } {
  const dir = mkdtempSync(join(tmpdir(), `rcdebug-${cloud}-`));
  mkdirSync(join(dir, 'manifest'));
  writeFileSync(join(dir, 'manifest', 'cp-values.yaml'), 'replicaCount: 1\n');
  writeFileSync(join(dir, 'manifest', 'agent-values.yaml'), 'logLevel: debug\n');
  const manifest = join(dir, 'manifest', `${cloud}.yaml`);
  writeFileSync(manifest, rehearsalManifest(region));
  writeFileSync(join(dir, 'kernel.log'), kasanLog());
  return { dir, manifest, kernelLog: join(dir, 'kernel.log') };
}

/** The variables every rehearsal sets for the stand-ins and the worker's state. */
export function standinEnv(dir: string, kernelLog: string): Record<string, string> {
  return { RCDEBUG_STANDIN_KERNEL_LOG: kernelLog, RCDEBUG_STANDIN_CHARTS: CHARTS, RCDEBUG_HOME: join(dir, 'state') };
}

/** Puts `env` into process.env; the function returned puts the earlier values back. */
export function swapEnv(env: Record<string, string>): () => void {
  const saved = new Map(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  return () => {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

/** The calls the recording stand-ins appended to `log`, in order (none before the first). */
export function standinCalls<T>(log: string): T[] {
  try {
    return readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as T);
  } catch {
    return [];
  }
}

/** A StepIO that records progress. */
export function recordingIO(): StepIO & { messages: string[]; abort: AbortController } {
  const abort = new AbortController();
  const messages: string[] = [];
  return { progress: (p: StepProgress) => messages.push(p.message), signal: abort.signal, attempt: 1, messages, abort };
}

/** The step context of a kasan cycle of kbug on `cloud`, with a short soak. */
export function rehearsalContext(cloud: CloudName, manifest: string, cycleId: string, patch: Partial<StepContext> = {}, rc = 'v1.4.0-rc2'): StepContext {
  return {
    cycleId,
    rc,
    cloud,
    flavor: 'kasan',
    module: { name: 'kbug', source: 'kernel/examples/kbug', version: '0.3.0' },
    manifest,
    soak: { durationSeconds: 10, checkIntervalSeconds: 5, scanIntervalSeconds: 5 },
    ...patch,
  };
}
