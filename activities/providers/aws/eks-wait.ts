import { DescribeClusterCommand, DescribeNodegroupCommand } from '@aws-sdk/client-eks';
import type { AwsClients } from './config';
import { aws } from './errors';
import type { StepIO } from '../../../src/domain/contract';
import { InfraError } from '../../../src/domain/errors';

const POLL_MS = 10_000;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new InfraError('the step was cancelled'));
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      reject(new InfraError('the step was cancelled'));
    }, { once: true });
  });
}

/**
 * Polls until `status()` is ACTIVE, heartbeating; a failed status or the deadline is an
 * InfraError (the activity retries; terraform converges on the retry).
 */
async function until(what: string, status: () => Promise<{ status: string | undefined; detail?: string }>, io: StepIO, deadline: number, pollMs: number): Promise<void> {
  for (let n = 1; ; n++) {
    const s = await status();
    io.progress({ message: `${what}: ${s.status ?? 'unknown'} (check ${n})` });
    if (s.status === 'ACTIVE') return;
    if (s.status && /FAILED|DEGRADED/.test(s.status)) throw new InfraError(`${what} is ${s.status}${s.detail ? `: ${s.detail}` : ''}`);
    if (Date.now() > deadline) throw new InfraError(`${what} is still ${s.status ?? 'unknown'} after the wait: the step will be retried`);
    await sleep(pollMs, io.signal);
  }
}

/** Waits for each cluster and node group to be ACTIVE, bounded by `waitSeconds`. */
export async function waitForEks(
  clients: AwsClients,
  targets: { cluster: string; nodegroups: string[] }[],
  io: StepIO,
  waitSeconds: number,
  pollMs = POLL_MS,
): Promise<void> {
  const deadline = Date.now() + waitSeconds * 1000;
  for (const t of targets) {
    await until(`EKS cluster ${t.cluster}`, async () => {
      const c = (await aws(`EKS DescribeCluster ${t.cluster}`, () => clients.eks.send(new DescribeClusterCommand({ name: t.cluster })))).cluster;
      return { status: c?.status, detail: c?.health?.issues?.map((i) => `${i.code}: ${i.message}`).join('; ') };
    }, io, deadline, pollMs);
    for (const ng of t.nodegroups) {
      await until(`EKS node group ${t.cluster}/${ng}`, async () => {
        const n = (await aws(`EKS DescribeNodegroup ${t.cluster}/${ng}`, () => clients.eks.send(new DescribeNodegroupCommand({ clusterName: t.cluster, nodegroupName: ng })))).nodegroup;
        return { status: n?.status, detail: n?.health?.issues?.map((i) => `${i.code}: ${i.message}`).join('; ') };
      }, io, deadline, pollMs);
    }
  }
}
