/**
 * A kubeconfig for one EKS cluster, built from DescribeCluster (endpoint, CA) and an EKS token,
 * written to a private temp directory outside the checkout (0700 dir, 0600 file) and removed
 * by `dispose()`. The token never reaches the repository or the workflow history.
 */
import { DescribeClusterCommand } from '@aws-sdk/client-eks';
import { stringify } from 'yaml';
import { UserError } from '../../../src/domain/errors';
import { writeKubeconfigFile, type KubeconfigFile } from '../../exec/helm';
import type { AwsClients } from './config';
import { eksToken } from './eks-token';
import { aws } from './errors';

/** What helm and the Kubernetes API need to reach a cluster. */
export interface ClusterAccess {
  name: string;
  endpoint: string;
  /** PEM of the cluster CA. */
  caPem: string;
  token: string;
}

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

/** The kubeconfig document for one cluster. */
export function kubeconfigYaml(a: ClusterAccess): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: a.name, cluster: { server: a.endpoint, 'certificate-authority-data': Buffer.from(a.caPem).toString('base64') } }],
    users: [{ name: `rcdebug-${a.name}`, user: { token: a.token } }],
    contexts: [{ name: a.name, context: { cluster: a.name, user: `rcdebug-${a.name}` } }],
    'current-context': a.name,
  });
}

/** Writes the kubeconfig to a fresh private temp directory. */
export function writeKubeconfig(a: ClusterAccess): Promise<KubeconfigFile> {
  return writeKubeconfigFile(kubeconfigYaml(a));
}

export type { KubeconfigFile } from '../../exec/helm';
