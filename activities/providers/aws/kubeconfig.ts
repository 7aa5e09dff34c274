/**
 * Access to one EKS cluster, built from DescribeCluster (endpoint, CA) and an EKS token; the
 * kubeconfig file itself is the shared one of activities/iac/kubeconfig.ts.
 */
import { DescribeClusterCommand } from '@aws-sdk/client-eks';
import { UserError } from '../../../src/domain/errors';
import type { ClusterAccess } from '../../iac/kubeconfig';
import type { AwsClients } from './config';
import { eksToken } from './eks-token';
import { aws } from './errors';

export { writeKubeconfig, type ClusterAccess } from '../../iac/kubeconfig';

/** Describes the cluster and makes a fresh token. */
export async function clusterAccess(clients: AwsClients, name: string): Promise<ClusterAccess> {
  const res = await aws(`EKS DescribeCluster ${name}`, () => clients.eks.send(new DescribeClusterCommand({ name })));
  const c = res.cluster;
  if (!c?.endpoint || !c.certificateAuthority?.data) {
    throw new UserError(`EKS cluster ${name} has no endpoint or CA yet (status ${c?.status ?? 'unknown'}): wait until it is ACTIVE, or run cluster-provision again`, 'clusterName');
  }
  const token = await eksToken({ clusterName: name, region: clients.config.region, credentials: await clients.credentials(), endpoint: clients.config.endpoint });
  return { name, endpoint: c.endpoint, caPem: Buffer.from(c.certificateAuthority.data, 'base64').toString('utf8'), token };
}
