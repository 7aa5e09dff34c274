/**
 * `cloudJanitor`: one sweep of what a cloud left behind of closed or expired cycles, started by
 * the schedule `rcdebug janitor schedule create --cloud <cloud>` makes. The sweep runs on
 * `<base>-<cloud>`, where the workers holding that cloud's credentials poll.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { CloudJanitorInput, JanitorActionRow, JanitorActivities } from '../activities/plugin';
import { PROFILES } from './profiles';

export async function cloudJanitor(input: CloudJanitorInput): Promise<JanitorActionRow[]> {
  const { janitorSweep } = proxyActivities<JanitorActivities>({
    ...PROFILES.teardown,
    taskQueue: `${workflowInfo().taskQueue}-${input.cloud}`,
    summary: `${input.cloud} janitor sweep`,
  });
  return janitorSweep(input.sweep);
}
