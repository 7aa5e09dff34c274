/**
 * Access to a cycle's two clusters, in the shared ClusterAccess shape (activities/iac): the
 * cpCluster's from AKS (listClusterUserCredentials: server and CA) with an Entra ID token for
 * the AKS server application; the workload cluster's from the token kubeconfig cloud-init
 * stored in the cycle's Key Vault after `kubeadm init`. No credential reaches the repository or
 * the workflow history: the shared driver writes them to a private temp file per helm run.
 */
import { parse } from 'yaml';
import { UserError } from '../../../src/domain/errors';
import type { ClusterAccess } from '../../iac/kubeconfig';
import type { AzureClients } from './config';
import { azure } from './errors';

/** The Entra ID application of the AKS API server: tokens for it open AKS clusters with Entra ID integration. */
export const AKS_SERVER_SCOPE = '6dae42f8-4368-4678-94ff-3960e28e3630/.default';

interface KubeconfigDoc {
  clusters?: { cluster?: { server?: string; 'certificate-authority-data'?: string } }[];
  users?: { user?: { token?: string } }[];
}

/** Server, CA and (if any) bearer token of a kubeconfig document. */
export function parseKubeconfig(name: string, text: string): { endpoint: string; caPem: string; token?: string | undefined } {
  let doc: KubeconfigDoc;
  try {
    doc = parse(text) as KubeconfigDoc;
  } catch (err) {
    throw new UserError(`the kubeconfig of ${name} is not YAML: ${(err as Error).message}`, 'kubeconfig');
  }
  const cluster = doc.clusters?.[0]?.cluster;
  if (!cluster?.server || !cluster['certificate-authority-data']) throw new UserError(`the kubeconfig of ${name} has no server or CA`, 'kubeconfig');
  return { endpoint: cluster.server, caPem: Buffer.from(cluster['certificate-authority-data'], 'base64').toString('utf8'), token: doc.users?.[0]?.user?.token };
}

/** The cpCluster's access: server and CA from AKS, an Entra ID token for the AKS server application. */
export async function aksAccess(clients: AzureClients, resourceGroup: string, name: string): Promise<ClusterAccess> {
  const res = await azure(`AKS listClusterUserCredentials ${resourceGroup}/${name}`, () => clients.aks.managedClusters.listClusterUserCredentials(resourceGroup, name));
  const value = res.kubeconfigs?.[0]?.value;
  if (!value) throw new UserError(`AKS ${name} gave no kubeconfig: is it provisioned? run cluster-provision again`, 'cpCluster.clusterName');
  const { endpoint, caPem } = parseKubeconfig(name, Buffer.from(value).toString('utf8'));
  const token = await azure(`Entra ID token for AKS ${name}`, () => clients.credential.getToken(AKS_SERVER_SCOPE));
  if (!token?.token) throw new UserError(`no Entra ID token for AKS ${name}: check the worker's credentials`, 'Azure credentials');
  return { name, endpoint, caPem, token: token.token };
}

/** The workload cluster's access from its Key Vault secret (a token kubeconfig of the rcdebug-deployer service account). */
export async function vaultAccess(clients: AzureClients, vaultUrl: string, secret: string, name: string): Promise<ClusterAccess> {
  const s = await azure(`Key Vault get secret ${secret}`, () => clients.vault(vaultUrl).getSecret(secret));
  if (!s.value) throw new UserError(`the Key Vault secret ${secret} is empty: kubeadm init has not stored the kubeconfig yet`, 'kubeconfig');
  const { endpoint, caPem, token } = parseKubeconfig(name, s.value);
  if (!token) throw new UserError(`the kubeconfig in Key Vault secret ${secret} has no bearer token: terraform/azure's cloud-init stores the rcdebug-deployer token`, 'kubeconfig');
  return { name, endpoint, caPem, token };
}
