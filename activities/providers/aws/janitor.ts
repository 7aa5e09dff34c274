/**
 * The janitor of the aws cloud: finds what rcdebug left behind (resources tagged
 * `rcdebug:cycle`) whose cycle is closed or older than a TTL and removes it, and keeps only the
 * last N published builds per flavor (SSM records, their AMIs and snapshots). Every function
 * returns the list of what it did (or would do, on a dry run); one failed deletion is listed
 * with its error and does not stop the others.
 */
import { DeleteLogGroupCommand, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DeleteSnapshotCommand, DeregisterImageCommand, DescribeImagesCommand, DescribeInstancesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { DeleteClusterCommand, DeleteNodegroupCommand, DescribeClusterCommand, ListClustersCommand, ListNodegroupsCommand } from '@aws-sdk/client-eks';
import type { Flavor } from '../../../src/domain/contract';
import { ssmRegistry } from './ssm-registry';
import type { VersionRecord } from '../../../src/domain/registry/scheme';
import type { AwsClients } from './config';
import { aws } from './errors';

export type JanitorKind = 'terraform-workspace' | 'instance' | 'eks-nodegroup' | 'eks-cluster' | 'log-group' | 'parameter' | 'ami' | 'snapshot';

/** One thing the janitor removed, would remove, or failed to remove. */
export interface JanitorAction {
  kind: JanitorKind;
  id: string;
  cycle?: string | undefined;
  reason: string;
  outcome: 'removed' | 'would-remove' | 'failed';
  error?: string | undefined;
}

/** A resource of a cycle and when it was created. */
export interface CycleResource {
  kind: 'instance' | 'eks-cluster' | 'log-group';
  id: string;
  createdAt?: Date | undefined;
}

/** Resources tagged (or named) by rcdebug, grouped by cycle id. */
export async function findCycleResources(clients: AwsClients): Promise<Map<string, CycleResource[]>> {
  const byCycle = new Map<string, CycleResource[]>();
  const add = (cycle: string, r: CycleResource) => byCycle.set(cycle, [...(byCycle.get(cycle) ?? []), r]);
  let token: string | undefined;
  do {
    const res = await aws('EC2 DescribeInstances tag-key=rcdebug:cycle', () => clients.ec2.send(new DescribeInstancesCommand({
      Filters: [{ Name: 'tag-key', Values: ['rcdebug:cycle'] }, { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] }],
      NextToken: token,
    })));
    for (const i of (res.Reservations ?? []).flatMap((r) => r.Instances ?? [])) {
      const cycle = i.Tags?.find((t) => t.Key === 'rcdebug:cycle')?.Value;
      if (cycle && i.InstanceId) add(cycle, { kind: 'instance', id: i.InstanceId, createdAt: i.LaunchTime });
    }
    token = res.NextToken;
  } while (token);
  token = undefined;
  do {
    const res = await aws('EKS ListClusters', () => clients.eks.send(new ListClustersCommand({ nextToken: token })));
    for (const name of res.clusters ?? []) {
      const c = (await aws(`EKS DescribeCluster ${name}`, () => clients.eks.send(new DescribeClusterCommand({ name })))).cluster;
      const cycle = c?.tags?.['rcdebug:cycle'];
      if (cycle) add(cycle, { kind: 'eks-cluster', id: name, createdAt: c?.createdAt });
    }
    token = res.nextToken;
  } while (token);
  token = undefined;
  do {
    const res = await aws('CloudWatch Logs DescribeLogGroups /rcdebug/', () => clients.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/rcdebug/', nextToken: token })));
    for (const g of res.logGroups ?? []) {
      const cycle = g.logGroupName?.slice('/rcdebug/'.length);
      if (cycle && g.logGroupName) add(cycle, { kind: 'log-group', id: g.logGroupName, createdAt: g.creationTime ? new Date(g.creationTime) : undefined });
    }
    token = res.nextToken;
  } while (token);
  return byCycle;
}

export interface SweepOptions {
  /** Resources older than this are removed whatever their cycle's state. */
  ttlMs: number;
  now?: Date;
  dryRun?: boolean;
  /** True when the cycle's workflow is closed, false when it runs, undefined when unknown (TTL decides). */
  isClosed(cycleId: string): Promise<boolean | undefined>;
  /** Destroys the cycle's terraform workspace (the clean way); what remains is deleted with the SDK. */
  destroyWorkspace?(cycleId: string): Promise<string[]>;
}

async function attempt(action: Omit<JanitorAction, 'outcome'>, dryRun: boolean | undefined, fn: () => Promise<unknown>): Promise<JanitorAction> {
  if (dryRun) return { ...action, outcome: 'would-remove' };
  try {
    await fn();
    return { ...action, outcome: 'removed' };
  } catch (err) {
    return { ...action, outcome: 'failed', error: (err as Error).message };
  }
}

/** Removes the resources of closed or expired cycles. */
export async function sweep(clients: AwsClients, o: SweepOptions): Promise<JanitorAction[]> {
  const now = (o.now ?? new Date()).getTime();
  const actions: JanitorAction[] = [];
  const found = await findCycleResources(clients);
  for (const [cycle, resources] of [...found].sort(([a], [b]) => a.localeCompare(b))) {
    const closed = await o.isClosed(cycle);
    const oldest = Math.min(...resources.map((r) => r.createdAt?.getTime() ?? now));
    const expired = now - oldest > o.ttlMs;
    if (!closed && !expired) continue;
    const reason = closed ? 'its cycle is closed' : `older than the TTL (${Math.round((now - oldest) / 3_600_000)} h)`;
    if (o.destroyWorkspace) {
      if (o.dryRun) actions.push({ kind: 'terraform-workspace', id: cycle, cycle, reason, outcome: 'would-remove' });
      else {
        try {
          for (const id of await o.destroyWorkspace(cycle)) actions.push({ kind: 'terraform-workspace', id, cycle, reason, outcome: 'removed' });
        } catch (err) {
          actions.push({ kind: 'terraform-workspace', id: cycle, cycle, reason, outcome: 'failed', error: (err as Error).message });
        }
      }
    }
    // What terraform left (or what it never knew of) goes with the SDK, instances first.
    const left = o.dryRun || !o.destroyWorkspace ? resources : (await findCycleResources(clients)).get(cycle) ?? [];
    const instances = left.filter((r) => r.kind === 'instance').map((r) => r.id);
    if (instances.length) {
      for (const id of instances) {
        actions.push(await attempt({ kind: 'instance', id, cycle, reason }, o.dryRun, () => clients.ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }))));
      }
    }
    for (const c of left.filter((r) => r.kind === 'eks-cluster')) {
      const groups = o.dryRun ? [] : (await clients.eks.send(new ListNodegroupsCommand({ clusterName: c.id })).catch(() => ({ nodegroups: [] }))).nodegroups ?? [];
      for (const ng of groups) {
        actions.push(await attempt({ kind: 'eks-nodegroup', id: `${c.id}/${ng}`, cycle, reason }, o.dryRun, () => clients.eks.send(new DeleteNodegroupCommand({ clusterName: c.id, nodegroupName: ng }))));
      }
      actions.push(await attempt({ kind: 'eks-cluster', id: c.id, cycle, reason }, o.dryRun, () => clients.eks.send(new DeleteClusterCommand({ name: c.id }))));
    }
    for (const g of left.filter((r) => r.kind === 'log-group')) {
      actions.push(await attempt({ kind: 'log-group', id: g.id, cycle, reason }, o.dryRun, () => clients.logs.send(new DeleteLogGroupCommand({ logGroupName: g.id }))));
    }
  }
  return actions;
}

export interface RetentionOptions {
  /** Records to keep per flavor (the newest ones); the one `latest` points at is always kept. */
  keep: number;
  flavors: Flavor[];
  dryRun?: boolean;
}

/** Keeps the last N records per flavor: older ones lose their parameters, AMI and snapshots. */
export async function retention(clients: AwsClients, o: RetentionOptions): Promise<JanitorAction[]> {
  const registry = ssmRegistry(clients.ssm);
  const actions: JanitorAction[] = [];
  for (const flavor of o.flavors) {
    const records = await registry.history('aws', flavor);
    const latest = await registry.latest('aws', flavor);
    const kept = new Set(records.slice(Math.max(0, records.length - o.keep)).map((r) => r.inputDigest));
    if (latest) kept.add(latest.inputDigest);
    const keptImages = new Set(records.filter((r) => kept.has(r.inputDigest)).map((r) => r.imageId));
    for (const r of records.filter((x) => !kept.has(x.inputDigest))) {
      const reason = `older than the last ${o.keep} ${flavor} builds`;
      actions.push(...(await dropRecord(clients, registry, r, reason, o.dryRun, keptImages.has(r.imageId))));
    }
  }
  return actions;
}

async function dropRecord(
  clients: AwsClients,
  registry: ReturnType<typeof ssmRegistry>,
  r: VersionRecord,
  reason: string,
  dryRun: boolean | undefined,
  imageStillUsed: boolean,
): Promise<JanitorAction[]> {
  const out: JanitorAction[] = [];
  const id = `${r.kernelRelease}/${r.inputDigest}`;
  if (dryRun) out.push({ kind: 'parameter', id, reason, outcome: 'would-remove' });
  else {
    try {
      const names = await registry.deleteRecord(r);
      out.push(...names.map((n) => ({ kind: 'parameter' as const, id: n, reason, outcome: 'removed' as const })));
    } catch (err) {
      out.push({ kind: 'parameter', id, reason, outcome: 'failed', error: (err as Error).message });
    }
  }
  if (imageStillUsed) return out;
  const image = (await aws(`EC2 DescribeImages ${r.imageId}`, () => clients.ec2.send(new DescribeImagesCommand({ Filters: [{ Name: 'image-id', Values: [r.imageId] }] })))).Images?.[0];
  if (!image) return out;
  const snapshots = (image.BlockDeviceMappings ?? []).flatMap((b) => (b.Ebs?.SnapshotId ? [b.Ebs.SnapshotId] : []));
  out.push(await attempt({ kind: 'ami', id: r.imageId, reason }, dryRun, () => clients.ec2.send(new DeregisterImageCommand({ ImageId: r.imageId }))));
  // Deregistering leaves the snapshots (and their cost) behind.
  for (const s of snapshots) out.push(await attempt({ kind: 'snapshot', id: s, reason }, dryRun, () => clients.ec2.send(new DeleteSnapshotCommand({ SnapshotId: s }))));
  return out;
}
