/** The workload nodes: the managed instance group's instances, following nextPageToken. */
import type { GcpClients } from './config';
import { classifyGcpError } from './errors';

export interface GroupInstance {
  name: string;
  status: string;
  action: string;
}

export async function groupInstances(clients: GcpClients, zone: string, group: string): Promise<GroupInstance[]> {
  const out: GroupInstance[] = [];
  try {
    for await (const mi of clients.groups.listManagedInstancesAsync({ project: clients.project, zone, instanceGroupManager: group, maxResults: 500 })) {
      out.push({ name: (mi.instance ?? '').split('/').pop() ?? '', status: mi.instanceStatus ?? 'UNKNOWN', action: mi.currentAction ?? 'NONE' });
    }
  } catch (err) {
    throw classifyGcpError(err, `compute instanceGroupManagers.listManagedInstances ${zone}/${group}`);
  }
  return out;
}
