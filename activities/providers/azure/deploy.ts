import { dirname, resolve } from 'node:path';
import type { ClusterProvisionOutput, DeployInput, DeployOutput, StepIO } from '../../../src/domain/contract';
import { UserError } from '../../../src/domain/errors';
import type { HelmDeployment } from '../../../src/domain/manifest/types';
import { resolveInputPath } from '../../../src/domain/paths';
import { runTool } from '../../exec/run-tool';
import type { AzureClients } from './config';
import type { AzureDeps } from './deps';
import { aksAccess, vaultAccess, writeKubeconfig, type ClusterAccess } from './kubeconfig';
import { withStep } from './step-context';
import { toolPath } from './tools';

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

/** A chart the registry does not have, or a registry that refuses us, is the manifest's to fix. */
function classifyHelm(field: string, d: HelmDeployment) {
  return (f: { tail: string[] }): Error | undefined => {
    const text = f.tail.join('\n');
    if (/not found|manifest unknown|FetchReference|404/i.test(text)) {
      return new UserError(`the chart oci://${d.registry}/${d.chart} version ${d.version} is not in the registry: fix chart, version or registry in the manifest`, field);
    }
    if (/unauthorized|denied|403|401/i.test(text)) {
      return new UserError(`the registry ${d.registry} refused to serve ${d.chart}: log the worker in (helm registry login ${d.registry.split('/')[0]})`, `${field.replace(/\.chart$/, '')}.registry`);
    }
    return undefined;
  };
}

/** The access of a manifest cluster: the cpCluster through AKS, the workload cluster through Key Vault. */
export function clusterAccess(clients: AzureClients, key: 'cpCluster' | 'workloadCluster', cluster: ClusterProvisionOutput): Promise<ClusterAccess> {
  const d = cluster.details;
  if (key === 'cpCluster') return aksAccess(clients, d.resourceGroup ?? '', d.cpCluster ?? '');
  return vaultAccess(clients, d.keyVaultUrl ?? '', d.kubeconfigSecret ?? '', d.workloadCluster ?? cluster.clusterId);
}

/**
 * deploy (azure): for each cluster and deployment of the manifest, `helm upgrade --install`
 * from the OCI registry (--atomic --wait) against a kubeconfig in a 0600 temp file made for
 * that one run and deleted afterwards.
 */
export async function azureDeploy(input: DeployInput, io: StepIO, deps: AzureDeps): Promise<DeployOutput> {
  const { ctx, cluster } = input;
  return withStep(ctx, deps, async (s) => {
    const helm = toolPath('helm');
    const manifestDir = dirname(resolveInputPath(ctx.manifest));
    const releases: string[] = [];
    for (const key of ['cpCluster', 'workloadCluster'] as const) {
      const spec = s.manifest[key];
      if (!spec) continue;
      const name = cluster.details[key] || spec.clusterName;
      for (const [release, d] of Object.entries(spec.deployments)) {
        // A fresh token per release: `--wait` may outlast an Entra ID token.
        const kube = await writeKubeconfig(await clusterAccess(s.clients, key, cluster));
        try {
          io.progress({ message: `helm: ${name}/${d.namespace}/${release}@${d.version}` });
          await runTool({
            cmd: helm,
            args: helmArgs(release, d, kube.path, manifestDir),
            logFile: `${s.workDir}/deploy/helm.log`,
            io,
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
    return { releases };
  });
}
