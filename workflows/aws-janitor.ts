/**
 * `awsJanitor`: one sweep of leftover AWS resources of closed or expired cycles, started by the
 * schedule `rcdebug janitor schedule create` makes. The sweep runs on `<base>-aws`, where the
 * workers holding AWS credentials poll.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { JanitorSweepInput, createAwsJanitorActivities } from '../activities/providers/aws/janitor-activity';
import type { JanitorAction } from '../activities/providers/aws/janitor';
import { PROFILES } from './profiles';

export async function awsJanitor(input: JanitorSweepInput): Promise<JanitorAction[]> {
  const { awsJanitorSweep } = proxyActivities<ReturnType<typeof createAwsJanitorActivities>>({
    ...PROFILES.teardown,
    taskQueue: `${workflowInfo().taskQueue}-aws`,
    summary: 'janitor sweep',
  });
  return awsJanitorSweep(input);
}
