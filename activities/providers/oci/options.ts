/**
 * Settings of the oci provider, from the worker's environment (the worker holds the OCI API
 * key; workflows and their history never see any of this).
 */
import { join } from 'node:path';
import { UserError } from '../../../src/domain/errors';
import { envNumber } from '../../env-number';
import { repoRoot, stateDir } from '../../../src/domain/paths';

export interface OciProviderOptions {
  /** One endpoint for every OCI service (the HTTP stand-in of the tests): `RCDEBUG_OCI_ENDPOINT`. */
  endpoint?: string | undefined;
  /** Compartment of everything a cycle creates: `RCDEBUG_OCI_COMPARTMENT`. */
  compartmentId?: string | undefined;
  /** Object Storage namespace: `RCDEBUG_OCI_NAMESPACE`, else asked of Object Storage. */
  namespace?: string | undefined;
  /** Bucket of kernel builds, artifacts and the registry: `RCDEBUG_OCI_BUCKET`. */
  bucket?: string | undefined;
  /** Bucket of the terraform state: `RCDEBUG_OCI_TF_STATE_BUCKET`, default the bucket. */
  stateBucket?: string | undefined;
  /** The OKE Oracle Linux worker image the build and the bake start from: `RCDEBUG_OCI_SOURCE_IMAGE`. */
  sourceImageId?: string | undefined;
  /** Availability domain of the build, the bake and the node pools: `RCDEBUG_OCI_AD`. */
  availabilityDomain?: string | undefined;
  /** Subnet of the Packer build and bake instances: `RCDEBUG_OCI_BUILD_SUBNET`. */
  buildSubnetId?: string | undefined;
  /** Shape of builders and nodes: `RCDEBUG_OCI_SHAPE`. */
  shape: string;
  /** Kubernetes version of both OKE clusters: `RCDEBUG_OKE_VERSION` (v1.33.1). */
  kubernetesVersion: string;
  packerDir: string;
  terraformDir: string;
  stateDir: string;
  /** How long cluster-provision waits for the node pool's nodes to become ACTIVE. */
  clusterWaitSeconds: number;
  /** Seconds between the two kmemleak scans of a double scan. */
  kmemleakWaitSeconds: number;
  /** Debug images of a flavor the janitor keeps (newest first); older ones it deletes. */
  imageRetention: number;
}

const OKE_VERSION = /^v1\.\d+\.\d+$/;

/** Options from the environment, with `overrides` on top. */
export function ociProviderOptions(overrides: Partial<OciProviderOptions> = {}): OciProviderOptions {
  const env = process.env;
  const opts: OciProviderOptions = {
    endpoint: env.RCDEBUG_OCI_ENDPOINT || undefined,
    compartmentId: env.RCDEBUG_OCI_COMPARTMENT || undefined,
    namespace: env.RCDEBUG_OCI_NAMESPACE || undefined,
    bucket: env.RCDEBUG_OCI_BUCKET || undefined,
    stateBucket: env.RCDEBUG_OCI_TF_STATE_BUCKET || undefined,
    sourceImageId: env.RCDEBUG_OCI_SOURCE_IMAGE || undefined,
    availabilityDomain: env.RCDEBUG_OCI_AD || undefined,
    buildSubnetId: env.RCDEBUG_OCI_BUILD_SUBNET || undefined,
    shape: env.RCDEBUG_OCI_SHAPE || 'VM.Standard.E5.Flex',
    kubernetesVersion: env.RCDEBUG_OKE_VERSION || 'v1.33.1',
    packerDir: join(repoRoot, 'packer', 'oci'),
    terraformDir: join(repoRoot, 'terraform', 'oci'),
    stateDir: join(stateDir(), 'oci'),
    clusterWaitSeconds: envNumber('RCDEBUG_OKE_WAIT_SECONDS', 1800),
    kmemleakWaitSeconds: envNumber('RCDEBUG_KMEMLEAK_WAIT_SECONDS', 60),
    imageRetention: envNumber('RCDEBUG_OCI_IMAGE_RETENTION', 5, { whole: true }),
    ...overrides,
  };
  if (!OKE_VERSION.test(opts.kubernetesVersion)) {
    throw new UserError(`RCDEBUG_OKE_VERSION ${JSON.stringify(opts.kubernetesVersion)} is not an OKE Kubernetes version such as v1.33.1`, 'RCDEBUG_OKE_VERSION');
  }
  return opts;
}

/** A setting a step cannot do without, or a UserError naming its variable. */
export function required(opts: OciProviderOptions, key: 'compartmentId' | 'bucket' | 'sourceImageId' | 'availabilityDomain' | 'buildSubnetId'): string {
  const vars = { compartmentId: 'RCDEBUG_OCI_COMPARTMENT', bucket: 'RCDEBUG_OCI_BUCKET', sourceImageId: 'RCDEBUG_OCI_SOURCE_IMAGE', availabilityDomain: 'RCDEBUG_OCI_AD', buildSubnetId: 'RCDEBUG_OCI_BUILD_SUBNET' } as const;
  const why = {
    compartmentId: 'the compartment OCID every cycle resource goes in',
    bucket: 'the Object Storage bucket of kernel builds, logs, reports and the registry',
    sourceImageId: 'the OCID of the OKE Oracle Linux worker image the debug image is built from (docs/oci.md)',
    availabilityDomain: 'the availability domain of builders and nodes, e.g. Uocm:EU-FRANKFURT-1-AD-1',
    buildSubnetId: 'the OCID of a subnet with internet access for the Packer build instances',
  } as const;
  const v = opts[key];
  if (!v) throw new UserError(`${vars[key]} is not set on the oci worker: set it to ${why[key]}`, vars[key]);
  return v;
}
