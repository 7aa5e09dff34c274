/** The packer variables both oci templates share (where, for whom, from what), and what in packer's output is the user's. */
import type { StepContext } from '../../../src/domain/contract';
import { UserError } from '../../../src/domain/errors';
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

/**
 * A packer failure that is the user's to fix: a shape the availability domain does not offer,
 * or a source image / subnet / compartment OCID OCI does not know. Capacity is not (retried).
 */
export function classifyOciPacker(f: { tail: string[] }): Error | undefined {
  const text = f.tail.join('\n');
  if (/out of host capacity/i.test(text)) return undefined;
  if (/shape\b.*(not (available|supported|valid|found))|InvalidParameter.*shape|LimitExceeded.*shape/i.test(text)) {
    return new UserError(`the shape is not available in this availability domain: pick another RCDEBUG_OCI_SHAPE or RCDEBUG_OCI_AD (${text.split('\n').filter(Boolean).pop() ?? ''})`, 'RCDEBUG_OCI_SHAPE');
  }
  const missing = /404-NotAuthorizedOrNotFound[^\n]*?(image|subnet|compartment)/i.exec(text);
  if (missing) {
    const field = { image: 'RCDEBUG_OCI_SOURCE_IMAGE', subnet: 'RCDEBUG_OCI_BUILD_SUBNET', compartment: 'RCDEBUG_OCI_COMPARTMENT' }[missing[1]!.toLowerCase() as 'image' | 'subnet' | 'compartment'];
    return new UserError(`OCI does not know the ${missing[1]!.toLowerCase()} packer was given (or the worker may not use it): check ${field}`, field);
  }
  return undefined;
}
