/**
 * helm as every cloud's deploy runs it: the arguments of one deployment, what in its output is
 * the manifest's to fix, the private kubeconfig file of one run, and the loop over the manifest.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { StepIO } from '../../src/domain/contract';
import { UserError } from '../../src/domain/errors';
import type { HelmDeployment, Manifest } from '../../src/domain/manifest/types';
import { runTool } from './run-tool';

/** helm's arguments for one deployment (no credentials: the kubeconfig is a file path). */
export function helmArgs(release: string, d: HelmDeployment, kubeconfig: string, manifestDir: string): string[] {
  return [
    'upgrade', '--install', release, `oci://${d.registry}/${d.chart}`,
    '--version', d.version,
    '--namespace', d.namespace, '--create-namespace',
    ...(d.valuesFile ? ['--values', resolve(manifestDir, d.valuesFile)] : []),
    '--atomic', '--wait', '--timeout', '15m',
    '--kubeconfig', kubeconfig,
  ];
}

/** A chart or version the registry does not have, or a registry that refuses us, is the manifest's to fix. */
export function classifyHelm(field: string, d: HelmDeployment) {
  return (f: { tail: string[] }): Error | undefined => {
    const text = f.tail.join('\n');
    if (/not found|manifest unknown|FetchReference|404/i.test(text)) {
      return new UserError(
        `the chart oci://${d.registry}/${d.chart} version ${d.version} is not in the registry: fix chart, version or registry in the manifest (${text.split('\n').filter((l) => /error/i.test(l)).pop() ?? f.tail.at(-1) ?? ''})`,
        field,
      );
    }
    if (/unauthorized|denied|403|401/i.test(text)) {
      return new UserError(`the registry ${d.registry} refused to serve ${d.chart}: log the worker in (helm registry login ${d.registry.split('/')[0]})`, `${field.replace(/\.chart$/, '')}.registry`);
    }
    return undefined;
  };
}

/** A kubeconfig file that exists until disposed. */
export interface KubeconfigFile {
  path: string;
  dispose(): Promise<void>;
}

/** Writes a kubeconfig to a fresh private temp directory (0700 dir, 0600 file) outside the checkout. */
export async function writeKubeconfigFile(yaml: string): Promise<KubeconfigFile> {
  const dir = await mkdtemp(join(tmpdir(), 'rcdebug-kube-'));
  const path = join(dir, 'kubeconfig');
  try {
    await writeFile(path, yaml, { mode: 0o600 });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return { path, dispose: () => rm(dir, { recursive: true, force: true }) };
}

const CLUSTER_KEYS = ['cpCluster', 'workloadCluster'] as const;
export type ClusterKey = (typeof CLUSTER_KEYS)[number];

/**
 * `helm upgrade --install` of every deployment of every cluster of the manifest, each against a
 * kubeconfig the cloud makes afresh for that one run (a token may last minutes only) and
 * disposes of right after. Returns the releases as `cluster/namespace/release@version`.
 */
export async function helmDeployAll(o: {
  manifest: Manifest;
  manifestPath: string;
  helm: string;
  logFile: string;
  io: StepIO;
  clusterName(key: ClusterKey): string | undefined;
  kubeconfig(key: ClusterKey, name: string): Promise<KubeconfigFile>;
}): Promise<string[]> {
  const manifestDir = dirname(o.manifestPath);
  const releases: string[] = [];
  for (const key of CLUSTER_KEYS) {
    const spec = o.manifest[key];
    if (!spec) continue;
    const name = o.clusterName(key) || spec.clusterName;
    for (const [release, d] of Object.entries(spec.deployments)) {
      const kube = await o.kubeconfig(key, name);
      try {
        o.io.progress({ message: `helm: ${name}/${d.namespace}/${release}@${d.version}` });
        await runTool({
          cmd: o.helm,
          args: helmArgs(release, d, kube.path, manifestDir),
          logFile: o.logFile,
          io: o.io,
          timeoutMs: 20 * 60_000,
          env: { HELM_KUBECONTEXT: undefined, KUBECONFIG: undefined },
          classify: classifyHelm(`${key}.deployments.${release}.chart`, d),
        });
      } finally {
        await kube.dispose();
      }
      releases.push(`${name}/${d.namespace}/${release}@${d.version}`);
    }
  }
  return releases;
}
