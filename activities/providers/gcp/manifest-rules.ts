/**
 * The gcp cloud's rules on a manifest a cycle on it reads: cluster names GKE and Compute accept
 * and region codes GCP knows, so a bad name is refused before terraform runs.
 */
import type { ManifestRule } from '../../../src/domain/manifest/rules';
import { GCP_REGION, GKE_CLUSTER, GKE_CLUSTER_MAX } from './names';

const CLUSTERS = ['cpCluster', 'workloadCluster'] as const;

export const gcpManifestRules: ManifestRule[] = [
  {
    name: 'gke-cluster-name',
    check(m, _ctx, out) {
      for (const key of CLUSTERS) {
        const name = m[key]?.clusterName;
        if (name === undefined) continue;
        const field = `${key}.clusterName`;
        if (name.length > GKE_CLUSTER_MAX) out.errors.push({ field, message: `a GCP cluster name has at most ${GKE_CLUSTER_MAX} characters` });
        else if (!GKE_CLUSTER.test(name)) out.errors.push({ field, message: "a GCP cluster name starts with a lowercase letter, has only lowercase letters, digits and '-', and does not end with '-'" });
      }
    },
  },
  {
    name: 'gcp-region',
    check(m, _ctx, out) {
      for (const key of CLUSTERS) {
        const region = m[key]?.clusterRegion;
        if (region !== undefined && !GCP_REGION.test(region)) out.errors.push({ field: `${key}.clusterRegion`, message: `"${region}" is not a GCP region such as europe-west1` });
      }
    },
  },
];
