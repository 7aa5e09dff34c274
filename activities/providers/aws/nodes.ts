import { DescribeInstancesCommand, type Instance } from '@aws-sdk/client-ec2';
import type { AwsClients } from './config';
import { aws } from './errors';

/** The instances of a cluster's node groups (EKS tags them `eks:cluster-name`), paginated. */
export async function clusterInstances(clients: AwsClients, clusterName: string, states = ['pending', 'running']): Promise<Instance[]> {
  const out: Instance[] = [];
  let token: string | undefined;
  do {
    const res = await aws(`EC2 DescribeInstances eks:cluster-name=${clusterName}`, () =>
      clients.ec2.send(new DescribeInstancesCommand({
        Filters: [{ Name: 'tag:eks:cluster-name', Values: [clusterName] }, { Name: 'instance-state-name', Values: states }],
        MaxResults: 100,
        NextToken: token,
      })),
    );
    for (const r of res.Reservations ?? []) out.push(...(r.Instances ?? []));
    token = res.NextToken;
  } while (token);
  return out.sort((a, b) => (a.InstanceId ?? '').localeCompare(b.InstanceId ?? ''));
}

/** Instances by id (gone ones are left out). */
export async function instancesById(clients: AwsClients, ids: string[]): Promise<Map<string, Instance>> {
  const out = new Map<string, Instance>();
  if (ids.length === 0) return out;
  const res = await aws('EC2 DescribeInstances', () => clients.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-id', Values: ids }] })));
  for (const r of res.Reservations ?? []) for (const i of r.Instances ?? []) if (i.InstanceId) out.set(i.InstanceId, i);
  return out;
}
