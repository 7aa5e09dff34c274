/**
 * A kubeconfig for one cluster (endpoint, CA, bearer token), written to a private temp
 * directory outside the checkout (0700 dir, 0600 file) and removed by `dispose()`: the token
 * never reaches the repository or the workflow history. Every cloud hands in its own access.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

/** What helm and the Kubernetes API need to reach a cluster. */
export interface ClusterAccess {
  name: string;
  endpoint: string;
  /** PEM of the cluster CA. */
  caPem: string;
  token: string;
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

/** A kubeconfig file that exists until disposed. */
export interface KubeconfigFile {
  path: string;
  dispose(): Promise<void>;
}

/** Writes a kubeconfig document to a fresh private temp directory (0700 dir, 0600 file). */
export async function writeKubeconfigFile(yaml: string): Promise<KubeconfigFile> {
  const dir = await mkdtemp(join(tmpdir(), 'rcdebug-kube-'));
  const path = join(dir, 'kubeconfig');
  try {
    await writeFile(path, yaml, { mode: 0o600 });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return { path, dispose: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes the kubeconfig of one cluster access. */
export function writeKubeconfig(a: ClusterAccess): Promise<KubeconfigFile> {
  return writeKubeconfigFile(kubeconfigYaml(a));
}
