import type { StepIO, TeardownInput, TeardownOutput } from '../../../src/domain/contract';
import { UserError } from '../../../src/domain/errors';
import { loadManifestOrThrow } from '../../../src/domain/manifest/load';
import { resolveInputPath } from '../../../src/domain/paths';
import type { AzureDeps } from './deps';
import { cycleLocation } from './step-context';
import { destroyCycleWorkspace } from './terraform';

/**
 * teardown (azure): the cycle's terraform workspace destroyed; idempotent. It needs no manifest
 * and no SDK call (terraform has its own credentials), so a cycle that failed on a bad
 * manifest is still torn down: the region comes from the provisioned cluster, else the
 * manifest if it still loads, else RCDEBUG_AZURE_LOCATION.
 */
export async function azureTeardown(input: TeardownInput, io: StepIO, deps: AzureDeps): Promise<TeardownOutput> {
  const { ctx } = input;
  const location = input.cluster?.details.location || (await manifestLocation(ctx.manifest, deps)) || deps.options.location;
  if (!location) throw new UserError(`cannot tell the region of ${ctx.cycleId} to tear it down: set RCDEBUG_AZURE_LOCATION on the worker and retry the teardown`, 'RCDEBUG_AZURE_LOCATION');
  const removed = await destroyCycleWorkspace(ctx, location, deps.options, io);
  if (removed.length && input.cluster) {
    const d = input.cluster.details;
    for (const [what, name] of [['resource group', d.resourceGroup], ['AKS cluster', d.cpCluster], ['scale set', d.workloadVmss]]) if (name) removed.push(`${what} ${name}`);
  }
  return { removed };
}

async function manifestLocation(manifest: string, deps: AzureDeps): Promise<string | undefined> {
  try {
    return cycleLocation(await loadManifestOrThrow(resolveInputPath(manifest)), deps);
  } catch {
    return undefined;
  }
}
