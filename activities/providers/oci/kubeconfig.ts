/**
 * A kubeconfig for one OKE cluster: the Container Engine API's own (CreateKubeconfig: server,
 * CA), its exec user replaced by a token signed with the worker's API key (./oke-token.ts),
 * written by the shared writeKubeconfigFile (0600, removed after the helm run). The token never reaches the repository or the workflow history.
 */
import type { Readable } from 'node:stream';
import { parse, stringify } from 'yaml';
import { InfraError } from '../../../src/domain/errors';
import type { KubeAccess } from '../../iac/kube-api';
import type { OciClients } from './clients';
import { oci } from './errors';
import { okeToken } from './oke-token';

interface Kubeconfig {
  clusters?: Array<{ name: string; cluster: { server?: string; 'certificate-authority-data'?: string } }>;
  users?: Array<{ name: string; user: Record<string, unknown> }>;
  [k: string]: unknown;
}

async function text(body: Readable | ReadableStream | string): Promise<string> {
  if (typeof body === 'string') return body;
  if ('getReader' in body) return new Response(body).text();
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

/** The cluster's kubeconfig document with a fresh token for every user, and what the Kubernetes API reader needs. */
export async function okeKubeconfig(c: OciClients, clusterId: string): Promise<{ yaml: string; access: KubeAccess }> {
  const res = await oci(`Container Engine CreateKubeconfig ${clusterId}`, () =>
    c.containerEngine.createKubeconfig({ clusterId, createClusterKubeconfigContentDetails: { tokenVersion: '2.0.0', endpoint: 'PUBLIC_ENDPOINT' as never } }));
  const doc = parse(await text(res.value)) as Kubeconfig;
  const server = doc.clusters?.[0]?.cluster.server;
  const ca = doc.clusters?.[0]?.cluster['certificate-authority-data'] ?? '';
  if (!server) throw new InfraError(`the kubeconfig of ${clusterId} has no server: is the cluster ACTIVE with a public endpoint?`);
  const token = okeToken(c.credentials, clusterId);
  doc.users = (doc.users ?? []).map((u) => ({ name: u.name, user: { token } }));
  return { yaml: stringify(doc), access: { endpoint: server, caPem: Buffer.from(ca, 'base64').toString('utf8'), token } };
}
