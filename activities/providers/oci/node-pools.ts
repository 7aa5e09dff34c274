/**
 * OKE clusters and node pools as the steps read them: a node pool's nodes (their ids are the
 * instance OCIDs), waits until everything is ACTIVE, and work requests polled to the end.
 */
import type { NodePool } from 'oci-containerengine/lib/model';
import type { StepIO } from '../../../src/domain/contract';
import { InfraError, UserError } from '../../../src/domain/errors';
import type { OciClients } from './clients';
import { oci, ociMaybe } from './errors';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The node pool, or undefined when it is gone. */
export function nodePool(c: OciClients, nodePoolId: string): Promise<NodePool | undefined> {
  return ociMaybe(`Container Engine GetNodePool ${nodePoolId}`, () => c.containerEngine.getNodePool({ nodePoolId })).then((r) => r?.nodePool);
}

/** Waits until the clusters are ACTIVE and every node pool has `minNodes` ACTIVE nodes; bounded, heartbeating. */
export async function waitForOke(c: OciClients, clusters: string[], pools: string[], io: StepIO, waitSeconds: number, pollMs: number): Promise<NodePool[]> {
  const deadline = Date.now() + waitSeconds * 1000;
  for (;;) {
    const pending: string[] = [];
    for (const clusterId of clusters) {
      const r = await oci(`Container Engine GetCluster ${clusterId}`, () => c.containerEngine.getCluster({ clusterId }));
      if (r.cluster.lifecycleState === 'FAILED') throw new InfraError(`OKE cluster ${r.cluster.name} FAILED: ${r.cluster.lifecycleDetails ?? ''}`);
      if (r.cluster.lifecycleState !== 'ACTIVE') pending.push(`cluster ${r.cluster.name} ${r.cluster.lifecycleState}`);
    }
    const got: NodePool[] = [];
    for (const id of pools) {
      const p = await nodePool(c, id);
      if (!p) throw new InfraError(`node pool ${id} from terraform's outputs does not exist`);
      got.push(p);
      const nodes = p.nodes ?? [];
      const failed = nodes.find((n) => n.lifecycleState === 'FAILING' || n.nodeError);
      if (failed) {
        const e = failed.nodeError;
        // A shape the availability domain does not have is the user's to fix; capacity is not.
        if (/shape|LimitExceeded/i.test(`${e?.code} ${e?.message}`) && !/capacity/i.test(`${e?.message}`)) {
          throw new UserError(`node ${failed.name} of ${p.name} failed: ${e?.code}: ${e?.message}; pick a shape this availability domain offers (RCDEBUG_OCI_SHAPE) or another RCDEBUG_OCI_AD`, 'RCDEBUG_OCI_SHAPE');
        }
        throw new InfraError(`node ${failed.name} of ${p.name} failed: ${e?.code ?? ''} ${e?.message ?? failed.lifecycleDetails ?? ''}`);
      }
      const active = nodes.filter((n) => n.lifecycleState === 'ACTIVE').length;
      if (active === 0 || active < nodes.length) pending.push(`node pool ${p.name}: ${active}/${nodes.length} nodes ACTIVE`);
    }
    if (pending.length === 0) return got;
    if (io.signal.aborted) throw new InfraError('stopped waiting for OKE: the step was cancelled');
    if (Date.now() > deadline) throw new InfraError(`OKE not ready after ${waitSeconds} s: ${pending.join('; ')}`);
    io.progress({ message: `waiting for OKE: ${pending.join('; ')}` });
    await sleep(pollMs);
  }
}

/** Polls a Container Engine work request until it ends; FAILED or CANCELED is an InfraError. */
export async function waitWorkRequest(c: OciClients, workRequestId: string, what: string, io: StepIO, pollMs: number, timeoutMs = 60 * 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await oci(`Container Engine GetWorkRequest ${workRequestId}`, () => c.containerEngine.getWorkRequest({ workRequestId }));
    const status = r.workRequest.status;
    if (status === 'SUCCEEDED') return;
    if (status === 'FAILED' || status === 'CANCELED') throw new InfraError(`${what}: work request ${workRequestId} ${status}`);
    if (io.signal.aborted) throw new InfraError(`${what}: stopped waiting, the step was cancelled`);
    if (Date.now() > deadline) throw new InfraError(`${what}: work request ${workRequestId} still ${status}`);
    io.progress({ message: `${what}: ${status}` });
    await sleep(pollMs);
  }
}
