import type { StepIO, TeardownInput, TeardownOutput } from '../../../src/domain/contract';
import type { GcpDeps } from './deps';
import type { GcpProviderOptions } from './options';
import { destroyWorkspace as destroyIn, gcpTerraform, readVars, selectWorkspace, type GcpTerraformVars } from './terraform';

/**
 * `terraform destroy` in a cycle's workspace, then the workspace deleted. A workspace that does
 * not exist (never provisioned, already destroyed) removes nothing and succeeds. Shared by the
 * teardown step and the janitor.
 */
export async function destroyGcpCycle(c: { cycleId: string; rc: string; flavor: string }, opts: GcpProviderOptions, io: StepIO): Promise<string[]> {
  const tf = await gcpTerraform(c.cycleId, opts, io);
  if (!(await selectWorkspace(tf, false))) {
    io.progress({ message: `no terraform workspace ${tf.workspace}: nothing to destroy` });
    return [];
  }
  const vars = await readVars<GcpTerraformVars>(tf);
  // destroy needs every required variable; their values do not change what is destroyed.
  const varArgs = vars ? [`-var-file=${tf.varFile}`] : ['-var', `cycle_id=${c.cycleId}`, '-var', `flavor=${c.flavor}`, '-var', `project_id=${opts.project ?? 'unknown'}`, '-var', 'debug_image=none'];
  await destroyIn(tf, varArgs);
  return [`terraform workspace ${tf.workspace}`];
}

/**
 * teardown (gcp): the cycle's terraform workspace destroyed; idempotent. It needs no manifest
 * and no API call of its own (terraform has its credentials), so a cycle that failed on a bad
 * manifest is still torn down.
 */
export async function gcpTeardown(input: TeardownInput, io: StepIO, deps: GcpDeps): Promise<TeardownOutput> {
  const removed = await destroyGcpCycle(input.ctx, deps.options, io);
  if (removed.length && input.cluster) {
    const d = input.cluster.details;
    if (d.cpCluster) removed.push(`GKE cluster ${d.cpCluster}`);
    if (d.workloadGroup) removed.push(`instance group ${d.workloadGroup}`);
  }
  return { removed };
}
