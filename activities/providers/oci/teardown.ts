import type { StepIO, TeardownInput, TeardownOutput } from '../../../src/domain/contract';
import { destroyWorkspace, readVars, selectWorkspace } from '../../iac/terraform';
import type { OciDeps } from './deps';
import { namespaceOf } from './objects';
import { ociTerraform, type OciTerraformVars } from './terraform';

/**
 * `terraform destroy` in a cycle's workspace, then the workspace deleted; a workspace that does
 * not exist (never provisioned, already destroyed) removes nothing and succeeds. Shared by the
 * teardown step and the janitor.
 */
export async function destroyOciCycle(c: { cycleId: string; rc: string; flavor: string }, deps: OciDeps, io: StepIO): Promise<string[]> {
  const clients = deps.connect();
  let namespace: string;
  try {
    namespace = await namespaceOf(clients.objectStorage, deps.options.namespace);
  } finally {
    clients.close();
  }
  const region = clients.credentials.region;
  const tf = await ociTerraform(c.cycleId, { namespace, region }, deps.options, io);
  if (!(await selectWorkspace(tf, false))) {
    io.progress({ message: `no terraform workspace ${tf.workspace}: nothing to destroy` });
    return [];
  }
  const vars = await readVars<OciTerraformVars>(tf);
  // destroy needs every required variable; their values do not change what is destroyed.
  const varArgs = vars
    ? [`-var-file=${tf.varFile}`]
    : ['-var', `cycle_id=${c.cycleId}`, '-var', `rc=${c.rc}`, '-var', `flavor=${c.flavor}`, '-var', `region=${region}`, '-var', 'debug_image_ocid=ocid1.image.oc1..unknown'];
  await destroyWorkspace(tf, varArgs);
  return [`terraform workspace ${tf.workspace}`];
}

/**
 * teardown (oci): the cycle's terraform workspace destroyed (both OKE clusters, node pools,
 * VCN, log); idempotent. It needs no manifest, so a cycle that failed on a bad manifest is
 * still torn down.
 */
export async function ociTeardown(input: TeardownInput, io: StepIO, deps: OciDeps): Promise<TeardownOutput> {
  const removed = await destroyOciCycle(input.ctx, deps, io);
  if (removed.length && input.cluster) {
    const d = input.cluster.details;
    for (const [what, id] of [['OKE cluster', d.cpClusterId], ['OKE cluster', d.workloadClusterId ?? input.cluster.clusterId], ['node pool', d.workloadNodePoolId]]) {
      if (id) removed.push(`${what} ${id}`);
    }
  }
  return { removed };
}
