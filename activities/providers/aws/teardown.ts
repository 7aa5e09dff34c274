import type { StepIO, TeardownInput, TeardownOutput } from '../../../src/contract';
import type { AwsDeps } from './deps';
import { withStep } from './step-context';
import { readVars, selectWorkspace, terraformFor } from './terraform';

/**
 * teardown (aws): `terraform destroy` in the cycle's workspace, then the workspace removed.
 * Idempotent: a workspace that does not exist (never provisioned, or already destroyed) is
 * success with nothing removed.
 */
export async function awsTeardown(input: TeardownInput, io: StepIO, deps: AwsDeps): Promise<TeardownOutput> {
  const { ctx } = input;
  return withStep(ctx, deps, async (s) => {
    const tf = await terraformFor(ctx.cycleId, s.region, deps.options, io);
    if (!(await selectWorkspace(tf, false))) {
      io.progress({ message: `no terraform workspace ${tf.workspace}: nothing to destroy` });
      return { removed: [] };
    }
    const vars = await readVars(tf);
    // destroy needs every required variable; their values do not matter for what is destroyed.
    const varArgs = vars
      ? [`-var-file=${tf.varFile}`]
      : ['-var', `cycle_id=${ctx.cycleId}`, '-var', `rc=${ctx.rc}`, '-var', `flavor=${ctx.flavor}`, '-var', `region=${s.region}`, '-var', 'debug_ami_id=ami-00000000'];
    await tf.run(['destroy', '-auto-approve', '-input=false', '-no-color', ...varArgs]);
    await tf.run(['workspace', 'select', 'default']);
    await tf.run(['workspace', 'delete', tf.workspace]);
    const removed = [`terraform workspace ${tf.workspace}`];
    if (input.cluster) removed.push(`cluster ${input.cluster.details.cpCluster ?? ''}`, `cluster ${input.cluster.details.workloadCluster ?? input.cluster.clusterId}`);
    return { removed: removed.filter((r) => !r.endsWith(' ')) };
  });
}
