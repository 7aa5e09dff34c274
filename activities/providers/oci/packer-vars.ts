/** The packer variables both oci templates share: where, for whom, from what. */
import type { StepContext } from '../../../src/domain/contract';
import type { OciProviderOptions } from './options';
import { required } from './options';
import type { OciStep } from './step-context';

export function ociPackerVars(ctx: StepContext, s: OciStep, opts: OciProviderOptions, digest: string): Record<string, string> {
  return {
    region: s.clients.credentials.region,
    // The API key by path: the private key never appears in packer's arguments.
    tenancy_ocid: s.clients.credentials.tenancy,
    user_ocid: s.clients.credentials.user,
    fingerprint: s.clients.credentials.fingerprint,
    key_file: s.clients.credentials.keyFile,
    compartment_ocid: s.compartmentId,
    availability_domain: required(opts, 'availabilityDomain'),
    subnet_ocid: required(opts, 'buildSubnetId'),
    base_image_ocid: required(opts, 'sourceImageId'),
    shape: opts.shape,
    namespace: s.bucket.namespace,
    bucket: s.bucket.bucket,
    flavor: ctx.flavor,
    digest,
    cycle_id: ctx.cycleId,
    rc: ctx.rc,
    k8s_version: opts.kubernetesVersion,
  };
}
