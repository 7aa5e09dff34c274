import { request } from 'node:https';
import type { ClusterAccess } from './kubeconfig';

/** What the Kubernetes API needs: its endpoint, the cluster CA and a bearer token. */
export type KubeAccess = Pick<ClusterAccess, 'endpoint' | 'caPem' | 'token'>;

/** What the soak needs of a Kubernetes node. */
export interface KubeNode {
  name: string;
  /** `spec.providerID` as the cloud's controller set it (`aws:///<az>/<id>`, `azure:///...`). */
  providerId?: string | undefined;
  /** The last segment of the provider id: the cloud's VM or instance id. */
  instanceId?: string | undefined;
  ready: boolean;
  kernelVersion: string;
}

interface NodeList {
  items?: {
    metadata?: { name?: string };
    spec?: { providerID?: string };
    status?: { conditions?: { type?: string; status?: string }[]; nodeInfo?: { kernelVersion?: string } };
  }[];
}

/**
 * The cluster's nodes from the Kubernetes API (GET /api/v1/nodes with the cluster's token, TLS
 * checked against the cluster CA). Rejects when the API cannot be reached in `timeoutMs`.
 */
export function listNodes(access: KubeAccess, timeoutMs = 5_000): Promise<KubeNode[]> {
  const url = new URL('/api/v1/nodes', access.endpoint);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', ca: access.caPem, headers: { authorization: `Bearer ${access.token}`, accept: 'application/json' }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`GET ${url.pathname}: HTTP ${res.statusCode}`));
        try {
          const list = JSON.parse(Buffer.concat(chunks).toString('utf8')) as NodeList;
          resolve((list.items ?? []).map((n) => ({
            name: n.metadata?.name ?? '',
            providerId: n.spec?.providerID,
            instanceId: n.spec?.providerID?.split('/').pop(),
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
