/** validateMain's activities, each on the queue of the cloud (and build step) it belongs to. */
import { proxyActivities } from '@temporalio/workflow';
import type { StepActivities } from '../../activities';
import type { CloudName, ProfileName, StepName } from '../../src/domain/contract';
import { stepQueue } from '../../src/domain/task-queues';
import type { ValidateInput } from '../../src/domain/validate';
import { profileOptions } from '../profiles';

/** The activities of one cloud under a profile; `step` picks a build step's own queue. */
export function validateActivities(input: ValidateInput, cloud: CloudName, profile: ProfileName, step: StepName = 'cluster-provision', summary?: string) {
  return proxyActivities<StepActivities>({
    ...profileOptions(profile, input.profiles),
    taskQueue: stepQueue(input.taskQueue, cloud, step),
    ...(summary ? { summary } : {}),
  });
}

/** The tests run once: a retry would load an already loaded module and see no KTAP. */
export function testActivities(input: ValidateInput, cloud: CloudName) {
  const base = profileOptions('toolRun', input.profiles);
  return proxyActivities<StepActivities>({
    ...base,
    // The test timeout plus the boot of the scan and the channel's grace.
    startToCloseTimeout: (input.testTimeoutSeconds + 600) * 1000,
    retry: { ...base.retry, maximumAttempts: 1 },
    taskQueue: stepQueue(input.taskQueue, cloud, 'deploy'),
    summary: 'nodeTest',
  });
}
