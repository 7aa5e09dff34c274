/**
 * The aws cloud's rules on a manifest a cycle on it reads: cluster names EKS accepts and
 * region codes AWS knows, so a bad name is refused before terraform runs.
 */
import type { ManifestRule } from '../../../src/domain/manifest/rules';
import { AWS_REGION, EKS_CLUSTER, EKS_CLUSTER_MAX } from './names';

const CLUSTERS = ['cpCluster', 'workloadCluster'] as const;

export const awsManifestRules: ManifestRule[] = [
  {
    name: 'eks-cluster-name',
    check(m, _ctx, out) {
      for (const key of CLUSTERS) {
        const name = m[key]?.clusterName;
        if (name === undefined) continue;
        const field = `${key}.clusterName`;
        if (name.length > EKS_CLUSTER_MAX) out.errors.push({ field, message: `an EKS cluster name has at most ${EKS_CLUSTER_MAX} characters` });
        else if (!EKS_CLUSTER.test(name)) out.errors.push({ field, message: "an EKS cluster name starts with a letter or digit and has only letters, digits, '-' and '_'" });
      }
    },
  },
  {
    name: 'aws-region',
    check(m, _ctx, out) {
      for (const key of CLUSTERS) {
        const region = m[key]?.clusterRegion;
        if (region !== undefined && !AWS_REGION.test(region)) {
          out.errors.push({ field: `${key}.clusterRegion`, message: `"${region}" is not an AWS region code such as eu-west-1` });
        }
      }
    },
  },
];
