import type { ClusterProvisionOutput, DeployInput, DeployOutput, StepIO } from '../../../src/domain/contract';
import { resolveInputPath } from '../../../src/domain/paths';
import { deployReleases } from '../../iac/helm';
import { writeKubeconfig, type ClusterAccess } from '../../iac/kubeconfig';
import type { AzureClients } from './config';
import type { AzureDeps } from './deps';
import { aksAccess, vaultAccess } from './kubeconfig';
import { withStep } from './step-context';

/** The access of a manifest cluster: the cpCluster through AKS, the workload cluster through Key Vault. */
export function clusterAccess(clients: AzureClients, key: 'cpCluster' | 'workloadCluster', cluster: ClusterProvisionOutput): Promise<ClusterAccess> {
  const d = cluster.details;
  if (key === 'cpCluster') return aksAccess(clients, d.resourceGroup ?? '', d.cpCluster ?? '');
  return vaultAccess(clients, d.keyVaultUrl ?? '', d.kubeconfigSecret ?? '', d.workloadCluster ?? cluster.clusterId);
}

/**
 * deploy (azure): the shared helm driver (`helm upgrade --install --atomic --wait` per
 * deployment, a 0600 kubeconfig made for each run and deleted after it) with the kubeconfigs
 * of AKS (Entra ID token) and of Key Vault.
 */
export async function azureDeploy(input: DeployInput, io: StepIO, deps: AzureDeps): Promise<DeployOutput> {
  const { ctx, cluster } = input;
  return withStep(ctx, deps, (s) =>
    deployReleases({
      manifest: s.manifest,
      manifestPath: resolveInputPath(ctx.manifest),
      clusterNames: { cpCluster: cluster.details.cpCluster, workloadCluster: cluster.details.workloadCluster },
      logFile: `${s.workDir}/deploy/helm.log`,
      kubeconfig: async (key) => writeKubeconfig(await clusterAccess(s.clients, key, cluster)),
    }, io));
}
