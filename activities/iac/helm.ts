/**
 * deploy, shared by the clouds: for each cluster and deployment of the manifest,
 * `helm upgrade --install` from the OCI registry (namespace created, values file, --atomic
 * --wait) against a kubeconfig the cloud gives per release, in a 0600 temp file deleted
 * afterwards.
 */
import { dirname, resolve } from 'node:path';
import type { DeployOutput, StepIO } from '../../src/domain/contract';
import { UserError } from '../../src/domain/errors';
import type { HelmDeployment, Manifest } from '../../src/domain/manifest/types';
import { runTool } from '../exec/run-tool';
import type { KubeconfigFile } from './kubeconfig';
import { toolPath } from './tool-path';

const CLUSTERS = ['cpCluster', 'workloadCluster'] as const;

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

export interface HelmDeploy {
  manifest: Manifest;
  /** The manifest file's path (values files are relative to it). */
  manifestPath: string;
  /** Cluster names cluster-provision reported, by manifest key; the manifest's names otherwise. */
  clusterNames: Record<string, string | undefined>;
  /** Where helm's log goes. */
  logFile: string;
  /**
   * A kubeconfig file for the named cluster, made afresh for each release (cluster tokens are
   * short-lived) and disposed of right after its helm run.
   */
  kubeconfig(clusterKey: 'cpCluster' | 'workloadCluster', clusterName: string): Promise<KubeconfigFile>;
}

/** Installs every deployment of the manifest; returns `cluster/namespace/release@version` per release. */
export async function deployReleases(d: HelmDeploy, io: StepIO): Promise<DeployOutput> {
  const helm = toolPath('helm');
  const manifestDir = dirname(d.manifestPath);
  const releases: string[] = [];
  for (const key of CLUSTERS) {
    const spec = d.manifest[key];
    if (!spec) continue;
    const name = d.clusterNames[key] || spec.clusterName;
    for (const [release, dep] of Object.entries(spec.deployments)) {
      // A fresh token per release: cluster tokens are short-lived, and `--wait` may take long.
      const kube = await d.kubeconfig(key, name);
      try {
        io.progress({ message: `helm: ${name}/${dep.namespace}/${release}@${dep.version}` });
        await runTool({
          cmd: helm,
          args: helmArgs(release, dep, kube.path, manifestDir),
          logFile: d.logFile,
          io,
          timeoutMs: 20 * 60_000,
          env: { HELM_KUBECONTEXT: undefined, KUBECONFIG: undefined },
          classify: classifyHelm(`${key}.deployments.${release}.chart`, dep),
        });
      } finally {
        await kube.dispose();
      }
      releases.push(`${name}/${dep.namespace}/${release}@${dep.version}`);
    }
  }
  return { releases };
}
