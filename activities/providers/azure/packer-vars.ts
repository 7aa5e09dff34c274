import type { StepContext } from '../../../src/domain/contract';
import type { AzureProviderOptions } from './options';
import { requireSubscription } from './options';

/** The packer variables the kernel build and the image bake share: where, for whom, from what. */
export function commonPackerVars(ctx: StepContext, opts: AzureProviderOptions, v: { location: string; digest: string }): Record<string, string> {
  const [publisher = '', offer = '', sku = '', version = ''] = opts.sourceImage.split(':');
  return {
    subscription_id: requireSubscription(opts),
    resource_group: opts.resourceGroup,
    location: v.location,
    vm_size: opts.vmSize,
    image_publisher: publisher,
    image_offer: offer,
    image_sku: sku,
    image_version: version,
    storage_url: opts.storageUrl ?? '',
    container: opts.container,
    flavor: ctx.flavor,
    digest: v.digest,
    cycle_id: ctx.cycleId,
    rc: ctx.rc,
    k8s_version: opts.kubernetesVersion,
  };
}
