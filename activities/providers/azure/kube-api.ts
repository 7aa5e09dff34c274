import { request } from 'node:https';
import type { ClusterAccess } from './kubeconfig';

/** What the soak needs of a Kubernetes node. */
export interface KubeNode {
  name: string;
  ready: boolean;
  kernelVersion: string;
}

interface NodeList {
  items?: { metadata?: { name?: string }; status?: { conditions?: { type?: string; status?: string }[]; nodeInfo?: { kernelVersion?: string } } }[];
}

/** The cluster's nodes from the Kubernetes API (GET /api/v1/nodes, TLS checked against the cluster CA). */
export function listNodes(access: ClusterAccess, timeoutMs = 5_000): Promise<KubeNode[]> {
  const url = new URL('/api/v1/nodes', access.server);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (access.token) headers.authorization = `Bearer ${access.token}`;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', ca: access.caPem, cert: access.clientCert, key: access.clientKey, headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`GET ${url.pathname}: HTTP ${res.statusCode}`));
        try {
          const list = JSON.parse(Buffer.concat(chunks).toString('utf8')) as NodeList;
          resolve((list.items ?? []).map((n) => ({
            name: n.metadata?.name ?? '',
            ready: n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
            kernelVersion: n.status?.nodeInfo?.kernelVersion ?? '',
          })));
        } catch (err) {
          reject(err as Error);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`the Kubernetes API ${url.host} did not answer in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}
