import type { StepIO, TeardownInput, TeardownOutput } from '../../../src/contract';
import type { AwsDeps } from './deps';
import type { AwsProviderOptions } from './options';
import { withStep } from './step-context';
import { readVars, selectWorkspace, terraformFor } from './terraform';

/**
 * `terraform destroy` in a cycle's workspace, then the workspace deleted. Returns what was
 * removed; a workspace that does not exist (never provisioned, already destroyed) removes
 * nothing and succeeds. Shared by the teardown step and `rcdebug janitor sweep`.
 */
export async function destroyCycleWorkspace(
  c: { cycleId: string; rc: string; flavor: string },
  region: string,
  opts: AwsProviderOptions,
  io: StepIO,
): Promise<string[]> {
  const tf = await terraformFor(c.cycleId, region, opts, io);
  if (!(await selectWorkspace(tf, false))) {
    io.progress({ message: `no terraform workspace ${tf.workspace}: nothing to destroy` });
    return [];
  }
  const vars = await readVars(tf);
  // destroy needs every required variable; their values do not change what is destroyed.
  const varArgs = vars
    ? [`-var-file=${tf.varFile}`]
    : ['-var', `cycle_id=${c.cycleId}`, '-var', `rc=${c.rc}`, '-var', `flavor=${c.flavor}`, '-var', `region=${region}`, '-var', 'debug_ami_id=ami-00000000'];
  await tf.run(['destroy', '-auto-approve', '-input=false', '-no-color', ...varArgs]);
  await tf.run(['workspace', 'select', 'default']);
  await tf.run(['workspace', 'delete', tf.workspace]);
  return [`terraform workspace ${tf.workspace}`];
}

/** teardown (aws): the cycle's terraform workspace destroyed; idempotent. */
export async function awsTeardown(input: TeardownInput, io: StepIO, deps: AwsDeps): Promise<TeardownOutput> {
  const { ctx } = input;
  return withStep(ctx, deps, async (s) => {
    const removed = await destroyCycleWorkspace(ctx, s.region, deps.options, io);
    if (removed.length && input.cluster) {
      for (const name of [input.cluster.details.cpCluster, input.cluster.details.workloadCluster ?? input.cluster.clusterId]) {
        if (name) removed.push(`EKS cluster ${name}`);
      }
    }
    return { removed };
  });
}
