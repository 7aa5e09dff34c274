/**
 * The oci cloud's rules on a manifest a cycle on it reads: cluster names OKE and the stack
 * accept (terraform/oci names node pools and subnets after them) and OCI region identifiers,
 * so a bad name is refused before terraform runs.
 */
import type { ManifestRule } from '../../../src/domain/manifest/rules';

const CLUSTERS = ['cpCluster', 'workloadCluster'] as const;
export const OKE_CLUSTER = /^[A-Za-z][A-Za-z0-9-]*$/;
export const OKE_CLUSTER_MAX = 40;
export const OCI_REGION = /^[a-z]{2,3}-[a-z]+-\d$/;

export const ociManifestRules: ManifestRule[] = [
  {
    name: 'oke-cluster-name',
    check(m, _ctx, out) {
      for (const key of CLUSTERS) {
        const name = m[key]?.clusterName;
        if (name === undefined) continue;
        const field = `${key}.clusterName`;
        if (name.length > OKE_CLUSTER_MAX) out.errors.push({ field, message: `an OKE cluster name of rcdebug has at most ${OKE_CLUSTER_MAX} characters (node pools and subnets are named after it)` });
        else if (!OKE_CLUSTER.test(name)) out.errors.push({ field, message: "an OKE cluster name starts with a letter and has only letters, digits and '-'" });
      }
    },
  },
  {
    name: 'oci-region',
    check(m, _ctx, out) {
      for (const key of CLUSTERS) {
        const region = m[key]?.clusterRegion;
        if (region !== undefined && !OCI_REGION.test(region)) {
          out.errors.push({ field: `${key}.clusterRegion`, message: `"${region}" is not an OCI region identifier such as eu-frankfurt-1` });
        }
      }
      const a = m.cpCluster?.clusterRegion;
      const b = m.workloadCluster?.clusterRegion;
      if (a && b && a !== b) out.errors.push({ field: 'cpCluster.clusterRegion', message: 'the oci stack builds both clusters in one region: give cpCluster and workloadCluster the same clusterRegion' });
    },
  },
];
