/**
 * The azure cloud's rules on a manifest a cycle on it reads: cluster names AKS accepts (the
 * workload cluster's name also names its scale set and resource group) and Azure region
 * names, so a bad name is refused before terraform runs.
 */
import type { ManifestRule } from '../../../src/domain/manifest/rules';
import { AKS_CLUSTER, AKS_CLUSTER_MAX, AZURE_REGION } from './names';

const CLUSTERS = ['cpCluster', 'workloadCluster'] as const;

export const azureManifestRules: ManifestRule[] = [
  {
    name: 'aks-cluster-name',
    check(m, _ctx, out) {
      for (const key of CLUSTERS) {
        const name = m[key]?.clusterName;
        if (name === undefined) continue;
        const field = `${key}.clusterName`;
        if (name.length > AKS_CLUSTER_MAX) out.errors.push({ field, message: `an AKS cluster name has at most ${AKS_CLUSTER_MAX} characters` });
        else if (!AKS_CLUSTER.test(name)) out.errors.push({ field, message: "an AKS cluster name has only letters, digits, '-' and '_', and starts and ends with a letter or digit" });
      }
    },
  },
  {
    name: 'azure-region',
    check(m, _ctx, out) {
      for (const key of CLUSTERS) {
        const region = m[key]?.clusterRegion;
        if (region !== undefined && !AZURE_REGION.test(region)) {
          out.errors.push({ field: `${key}.clusterRegion`, message: `"${region}" is not an Azure region name such as westeurope or eastus2` });
        }
      }
    },
  },
];
