/**
 * The Kubernetes side of the gcp clusters: kubeconfigs (GKE from getCluster and an access
 * token of the worker's credentials; the kubeadm workload cluster's admin kubeconfig from
 * Secret Manager) written to a private temp file for one tool run, and the few API calls the
 * soak makes (nodes, the kmemleak DaemonSet). Credentials never reach the repository or the
 * workflow history.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { InfraError, UserError } from '../../../src/domain/errors';
import type { GcpClients } from './config';
import { gcp } from './errors';

/** What a client needs to reach a cluster's API. */
export interface KubeAccess {
  name: string;
  server: string;
  caPem?: string | undefined;
  token?: string | undefined;
  certPem?: string | undefined;
  keyPem?: string | undefined;
}

/** A GKE cluster's access: endpoint and CA from getCluster, a token of the worker's identity. */
export async function gkeAccess(clients: GcpClients, location: string, name: string): Promise<KubeAccess> {
  const path = `projects/${clients.project}/locations/${location}/clusters/${name}`;
  const [c] = await gcp(`container clusters.get ${path}`, () => clients.container.getCluster({ name: path }));
  if (!c.endpoint || c.status !== 'RUNNING') throw new InfraError(`GKE cluster ${name} is ${c.status ?? 'unknown'} with no endpoint yet: the step will be retried`);
  const server = /^https?:\/\//.test(c.endpoint) ? c.endpoint : `https://${c.endpoint}`;
  const ca = c.masterAuth?.clusterCaCertificate;
  return { name, server, caPem: ca ? Buffer.from(ca, 'base64').toString('utf8') : undefined, token: await clients.accessToken() };
}

/** The kubeadm cluster's admin kubeconfig, from the Secret Manager secret its first node wrote. */
export async function secretAccess(clients: GcpClients, secret: string): Promise<KubeAccess> {
  const name = `projects/${clients.project}/secrets/${secret}/versions/latest`;
  const [v] = await gcp(`secretmanager versions.access ${name}`, () => clients.secrets.accessSecretVersion({ name }));
  const data = v.payload?.data;
  const text = typeof data === 'string' ? Buffer.from(data, 'base64').toString('utf8') : Buffer.from(data ?? []).toString('utf8');
  return accessFromKubeconfig(text, secret);
}

type KubeconfigDoc = {
  clusters?: { name: string; cluster: { server: string; 'certificate-authority-data'?: string } }[];
  users?: { name: string; user: { token?: string; 'client-certificate-data'?: string; 'client-key-data'?: string } }[];
};

/** Reads the first cluster and user of a kubeconfig. */
export function accessFromKubeconfig(text: string, where: string): KubeAccess {
  const doc = parse(text) as KubeconfigDoc | null;
  const c = doc?.clusters?.[0];
  const u = doc?.users?.[0]?.user;
  if (!c?.cluster.server || !u) throw new InfraError(`${where} holds no usable kubeconfig (no cluster server or user): the workload cluster's first node has not written it yet`);
  const b64 = (s?: string) => (s ? Buffer.from(s, 'base64').toString('utf8') : undefined);
  return { name: c.name, server: c.cluster.server, caPem: b64(c.cluster['certificate-authority-data']), token: u.token, certPem: b64(u['client-certificate-data']), keyPem: b64(u['client-key-data']) };
}

export function kubeconfigYaml(a: KubeAccess): string {
  const b64 = (s?: string) => (s ? Buffer.from(s).toString('base64') : undefined);
  const user = { token: a.token, 'client-certificate-data': b64(a.certPem), 'client-key-data': b64(a.keyPem) };
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: a.name, cluster: { server: a.server, ...(a.caPem ? { 'certificate-authority-data': b64(a.caPem) } : {}) } }],
    users: [{ name: `rcdebug-${a.name}`, user: Object.fromEntries(Object.entries(user).filter(([, v]) => v !== undefined)) }],
    contexts: [{ name: a.name, context: { cluster: a.name, user: `rcdebug-${a.name}` } }],
    'current-context': a.name,
  });
}

/** Writes a kubeconfig to a fresh private temp directory (0700/0600) for one tool run. */
export async function withKubeconfig<T>(a: KubeAccess, fn: (path: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'rcdebug-kube-'));
  try {
    const path = join(dir, 'kubeconfig');
    await writeFile(path, kubeconfigYaml(a), { mode: 0o600 });
    return await fn(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** One Kubernetes API call; JSON in and out. */
export function kubeCall<T>(a: KubeAccess, method: string, path: string, body?: unknown, contentType = 'application/json', timeoutMs = 10_000): Promise<T> {
  const url = new URL(path, a.server);
  const request = url.protocol === 'http:' ? httpRequest : httpsRequest;
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method, timeout: timeoutMs, ca: a.caPem, cert: a.certPem, key: a.keyPem,
      headers: { accept: 'application/json', ...(a.token ? { authorization: `Bearer ${a.token}` } : {}), ...(payload ? { 'content-type': contentType } : {}) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        if (status === 401 || status === 403) return reject(new UserError(`the Kubernetes API of ${a.name} refused ${method} ${url.pathname} (HTTP ${status}): the kubeconfig's credentials are not allowed`, 'kubeconfig'));
        if (status >= 300) return reject(Object.assign(new InfraError(`Kubernetes ${method} ${url.pathname} on ${a.name}: HTTP ${status} ${text.slice(0, 200)}`), { status }));
        try {
          resolve((text ? JSON.parse(text) : {}) as T);
        } catch (err) {
          reject(err as Error);
        }
      });
    });
    req.on('timeout', () => req.destroy(new InfraError(`the Kubernetes API ${url.host} did not answer in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** What the soak needs of a Kubernetes node. */
export interface KubeNode {
  name: string;
  ready: boolean;
  kernelVersion: string;
}

export async function listNodes(a: KubeAccess): Promise<KubeNode[]> {
  type NodeList = { items?: { metadata?: { name?: string }; status?: { conditions?: { type?: string; status?: string }[]; nodeInfo?: { kernelVersion?: string } } }[] };
  const list = await kubeCall<NodeList>(a, 'GET', '/api/v1/nodes');
  return (list.items ?? []).map((n) => ({
    name: n.metadata?.name ?? '',
    ready: n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    kernelVersion: n.status?.nodeInfo?.kernelVersion ?? '',
  }));
}
