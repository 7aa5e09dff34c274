/**
 * Kubeconfigs of a cycle's two clusters, written to a private temp directory outside the
 * checkout (0700 dir, 0600 file) for one helm run and removed afterwards; no credential reaches
 * the repository or the workflow history. The cpCluster's comes from AKS
 * (listClusterUserCredential: server and CA) with an Entra ID token for the AKS server
 * application; the workload cluster's admin kubeconfig is the Key Vault secret cloud-init
 * stored after `kubeadm init`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { UserError } from '../../../src/domain/errors';
import type { AzureClients } from './config';
import { azure } from './errors';

/** The Entra ID application of the AKS API server: tokens for it open AKS clusters with Entra ID integration. */
export const AKS_SERVER_SCOPE = '6dae42f8-4368-4678-94ff-3960e28e3630/.default';

/** What helm and the Kubernetes API need to reach a cluster. */
export interface ClusterAccess {
  name: string;
  server: string;
  /** PEM of the cluster CA. */
  caPem: string;
  /** A bearer token, or client certificate and key (a kubeadm admin kubeconfig). */
  token?: string | undefined;
  clientCert?: string | undefined;
  clientKey?: string | undefined;
}

interface KubeconfigDoc {
  clusters?: { name?: string; cluster?: { server?: string; 'certificate-authority-data'?: string } }[];
  users?: { name?: string; user?: { token?: string; 'client-certificate-data'?: string; 'client-key-data'?: string } }[];
}

/** Reads server, CA and credentials from a kubeconfig document. */
export function parseKubeconfig(name: string, text: string): ClusterAccess {
  let doc: KubeconfigDoc;
  try {
    doc = parse(text) as KubeconfigDoc;
  } catch (err) {
    throw new UserError(`the kubeconfig of ${name} is not YAML: ${(err as Error).message}`, 'kubeconfig');
  }
  const cluster = doc.clusters?.[0]?.cluster;
  const user = doc.users?.[0]?.user;
  if (!cluster?.server || !cluster['certificate-authority-data']) throw new UserError(`the kubeconfig of ${name} has no server or CA`, 'kubeconfig');
  const b64 = (v: string | undefined) => (v ? Buffer.from(v, 'base64').toString('utf8') : undefined);
  return { name, server: cluster.server, caPem: b64(cluster['certificate-authority-data'])!, token: user?.token, clientCert: b64(user?.['client-certificate-data']), clientKey: b64(user?.['client-key-data']) };
}

/** The cpCluster's access: server and CA from AKS, an Entra ID token for the AKS server application. */
export async function aksAccess(clients: AzureClients, resourceGroup: string, name: string): Promise<ClusterAccess> {
  const res = await azure(`AKS listClusterUserCredentials ${resourceGroup}/${name}`, () => clients.aks.managedClusters.listClusterUserCredentials(resourceGroup, name));
  const value = res.kubeconfigs?.[0]?.value;
  if (!value) throw new UserError(`AKS ${name} gave no kubeconfig: is it provisioned? run cluster-provision again`, 'cpCluster.clusterName');
  const access = parseKubeconfig(name, Buffer.from(value).toString('utf8'));
  const token = await azure(`Entra ID token for AKS ${name}`, () => clients.credential.getToken(AKS_SERVER_SCOPE));
  if (!token?.token) throw new UserError(`no Entra ID token for AKS ${name}: check the worker's credentials`, 'Azure credentials');
  return { name, server: access.server, caPem: access.caPem, token: token.token };
}

/** The workload cluster's admin access from its Key Vault secret. */
export async function vaultAccess(clients: AzureClients, vaultUrl: string, secret: string, name: string): Promise<ClusterAccess> {
  const s = await azure(`Key Vault get secret ${secret}`, () => clients.vault(vaultUrl).getSecret(secret));
  if (!s.value) throw new UserError(`the Key Vault secret ${secret} is empty: kubeadm init has not stored the kubeconfig yet`, 'kubeconfig');
  return parseKubeconfig(name, s.value);
}

/** The kubeconfig document of one cluster access. */
export function kubeconfigYaml(a: ClusterAccess): string {
  const user: Record<string, string> = {};
  if (a.token) user.token = a.token;
  if (a.clientCert) user['client-certificate-data'] = Buffer.from(a.clientCert).toString('base64');
  if (a.clientKey) user['client-key-data'] = Buffer.from(a.clientKey).toString('base64');
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: a.name, cluster: { server: a.server, 'certificate-authority-data': Buffer.from(a.caPem).toString('base64') } }],
    users: [{ name: `rcdebug-${a.name}`, user }],
    contexts: [{ name: a.name, context: { cluster: a.name, user: `rcdebug-${a.name}` } }],
    'current-context': a.name,
  });
}

/** A kubeconfig file that exists until disposed. */
export interface KubeconfigFile {
  path: string;
  dispose(): Promise<void>;
}

/** Writes the kubeconfig to a fresh private temp directory. */
export async function writeKubeconfig(a: ClusterAccess): Promise<KubeconfigFile> {
  const dir = await mkdtemp(join(tmpdir(), 'rcdebug-kube-'));
  const path = join(dir, 'kubeconfig');
  try {
    await writeFile(path, kubeconfigYaml(a), { mode: 0o600 });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return { path, dispose: () => rm(dir, { recursive: true, force: true }) };
}
