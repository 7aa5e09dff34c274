import type { StepIO, TeardownInput, TeardownOutput } from '../../../src/domain/contract';
import type { AwsDeps } from './deps';
import type { AwsProviderOptions } from './options';
import { UserError } from '../../../src/domain/errors';
import { loadManifestOrThrow } from '../../../src/domain/manifest/load';
import { resolveInputPath } from '../../../src/domain/paths';
import { cycleRegion } from './step-context';
import { destroyWorkspace, readVars, selectWorkspace, terraformFor } from './terraform';

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
  await destroyWorkspace(tf, varArgs);
  return [`terraform workspace ${tf.workspace}`];
}

/**
 * teardown (aws): the cycle's terraform workspace destroyed; idempotent. It needs no manifest
 * and no SDK call (terraform has its own credentials), so a cycle that failed on a bad
 * manifest is still torn down: the region comes from the provisioned cluster, else the
 * manifest if it still loads, else AWS_REGION.
 */
export async function awsTeardown(input: TeardownInput, io: StepIO, deps: AwsDeps): Promise<TeardownOutput> {
  const { ctx } = input;
  const region = input.cluster?.details.region || (await manifestRegion(ctx.manifest, deps)) || deps.options.region;
  if (!region) {
    throw new UserError(`cannot tell the region of ${ctx.cycleId} to tear it down: set AWS_REGION on the worker and retry the teardown`, 'AWS_REGION');
  }
  const removed = await destroyCycleWorkspace(ctx, region, deps.options, io);
  if (removed.length && input.cluster) {
    for (const name of [input.cluster.details.cpCluster, input.cluster.details.workloadCluster ?? input.cluster.clusterId]) {
      if (name) removed.push(`EKS cluster ${name}`);
    }
  }
  return { removed };
}

/** The cycle's region from its manifest, or undefined when the manifest no longer loads. */
export async function manifestRegion(manifest: string, deps: AwsDeps): Promise<string | undefined> {
  try {
    return cycleRegion(await loadManifestOrThrow(resolveInputPath(manifest)), deps);
  } catch {
    return undefined;
  }
}
