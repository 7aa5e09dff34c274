/**
 * The dry rehearsal of the aws cloud for tests: a moto server, seeded (bucket, the public EKS
 * AMI parameter), the recording stand-ins of packer/terraform/helm on the tool variables, a
 * manifest in a temp folder, and the environment put back afterwards.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StepContext, StepIO, StepProgress } from '../../src/domain/contract';
import { repoRoot } from '../../src/domain/paths';
import { seedMoto } from '../fixtures/aws-standins/seed-moto.mjs';
import { startFaultProxy, startMoto, type FaultProxy, type Moto } from '../support/moto';

export interface StandinCall {
  tool: 'packer' | 'terraform' | 'helm';
  argv: string[];
  env: Record<string, string>;
  kubeconfig?: { exists: boolean; mode?: string; hasEksToken?: boolean; server?: string };
}

export interface Rehearsal {
  moto: Moto;
  proxy: FaultProxy;
  dir: string;
  manifest: string;
  stateDir: string;
  sourceAmi: string;
  bucket: string;
  env: Record<string, string>;
  /** What the stand-ins were called with, in order. */
  calls(): StandinCall[];
  close(): Promise<void>;
}

/** The kernel messages the workload node "prints": the KASAN report fixture of the findings tests. */
function kasanLog(): string {
  const text = readFileSync(join(repoRoot, 'test', 'fixtures', 'findings', 'kbug-kasan-uaf'), 'utf8');
  return text.slice(text.indexOf('\n\n') + 2);
}

export const CHARTS = 'ghcr.io/riptideslabs/helm/controlplane:v0.1.9,ghcr.io/riptideslabs/helm/agent:v0.1.17';

export const MANIFEST = `cpCluster:
  clusterName: riptides-controlplane
  clusterRegion: eu-west-1
  deployments:
    controlplane: { chart: controlplane, version: v0.1.9, registry: ghcr.io/riptideslabs/helm, namespace: debug-cp, valuesFile: cp-values.yaml }
workloadCluster:
  clusterName: riptides-debug-apps
  clusterRegion: eu-west-1
  deployments:
    agent: { chart: agent, version: v0.1.17, registry: ghcr.io/riptideslabs/helm, namespace: riptides-system, valuesFile: agent-values.yaml }
`;

export async function startRehearsal(): Promise<Rehearsal> {
  const dir = mkdtempSync(join(tmpdir(), 'rcdebug-aws-'));
  const moto = await startMoto();
  const proxy = await startFaultProxy(moto.endpoint);
  const bucket = 'rcdebug-test';
  const seeded = await seedMoto({ endpoint: moto.endpoint, bucket, logDir: dir });
  mkdirSync(join(dir, 'manifest'));
  writeFileSync(join(dir, 'manifest', 'cp-values.yaml'), 'replicaCount: 1\n');
  writeFileSync(join(dir, 'manifest', 'agent-values.yaml'), 'logLevel: debug\n');
  const manifest = join(dir, 'manifest', 'aws.yaml');
  writeFileSync(manifest, MANIFEST);
  writeFileSync(join(dir, 'kernel.log'), kasanLog());
  const env: Record<string, string> = {
    ...seeded.env,
    RCDEBUG_STANDIN_KERNEL_LOG: join(dir, 'kernel.log'),
    RCDEBUG_STANDIN_CHARTS: CHARTS,
    RCDEBUG_HOME: join(dir, 'state'),
  };
  const saved = new Map(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  return {
    moto,
    proxy,
    dir,
    manifest,
    stateDir: join(dir, 'state', 'aws'),
    sourceAmi: seeded.sourceAmi,
    bucket,
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
      await proxy.stop();
      await moto.stop();
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

export function stepContext(r: Rehearsal, cycleId: string, patch: Partial<StepContext> = {}): StepContext {
  return {
    cycleId,
    rc: 'v1.4.0-rc2',
    cloud: 'aws',
    flavor: 'kasan',
    module: { name: 'kbug', source: 'kernel/examples/kbug', version: '0.3.0' },
    manifest: r.manifest,
    soak: { durationSeconds: 10, checkIntervalSeconds: 5, scanIntervalSeconds: 5 },
    ...patch,
  };
}
