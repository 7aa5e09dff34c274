/**
 * Settings of the aws provider, from the worker's environment (the worker holds the AWS
 * credentials; workflows and their history never see any of this).
 */
import { join } from 'node:path';
import { UserError } from '../../../src/domain/errors';
import { repoRoot, stateDir } from '../../../src/domain/paths';

export interface AwsProviderOptions {
  /** Region of the cycle's resources; default the manifest's workloadCluster region, else AWS_REGION. */
  region?: string | undefined;
  /** Artifacts bucket (kernel builds, logs, reports): `RCDEBUG_AWS_BUCKET`. */
  bucket?: string | undefined;
  /** Terraform state bucket (backend s3): `RCDEBUG_TF_STATE_BUCKET`, default the artifacts bucket. */
  stateBucket?: string | undefined;
  /** Kubernetes version of the clusters (and of the EKS AMI the image starts from): `RCDEBUG_EKS_VERSION`. */
  kubernetesVersion: string;
  /**
   * Root of AWS's public SSM parameters: `/aws/service`. The dry rehearsal points it at a
   * copy it seeds in moto, which cannot hold parameters under `/aws`.
   */
  publicParameterRoot: string;
  /** packer/aws, terraform/aws: the templates and the stack. */
  packerDir: string;
  terraformDir: string;
  /** Local state: terraform data dirs per cycle, artifacts mirror, kubeconfigs never. */
  stateDir: string;
  /** How long cluster-provision waits for the cluster and node groups to become ACTIVE. */
  clusterWaitSeconds: number;
  /** Seconds between the two kmemleak scans of a double scan. */
  kmemleakWaitSeconds: number;
}

const K8S_VERSION = /^1\.\d+$/;

/** Options from the environment, with `overrides` on top. */
export function awsProviderOptions(overrides: Partial<AwsProviderOptions> = {}): AwsProviderOptions {
  const env = process.env;
  const opts: AwsProviderOptions = {
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined,
    bucket: env.RCDEBUG_AWS_BUCKET || undefined,
    stateBucket: env.RCDEBUG_TF_STATE_BUCKET || undefined,
    kubernetesVersion: env.RCDEBUG_EKS_VERSION || '1.33',
    publicParameterRoot: env.RCDEBUG_AWS_PUBLIC_PARAMETER_ROOT || '/aws/service',
    packerDir: join(repoRoot, 'packer', 'aws'),
    terraformDir: join(repoRoot, 'terraform', 'aws'),
    stateDir: join(stateDir(), 'aws'),
    clusterWaitSeconds: Number(env.RCDEBUG_EKS_WAIT_SECONDS || 1800),
    kmemleakWaitSeconds: Number(env.RCDEBUG_KMEMLEAK_WAIT_SECONDS || 60),
    ...overrides,
  };
  if (!K8S_VERSION.test(opts.kubernetesVersion)) {
    throw new UserError(`RCDEBUG_EKS_VERSION ${JSON.stringify(opts.kubernetesVersion)} is not a Kubernetes major.minor such as 1.33`, 'RCDEBUG_EKS_VERSION');
  }
  return opts;
}

/** The artifacts bucket, or a UserError saying how to set it. */
export function requireBucket(opts: AwsProviderOptions): string {
  if (!opts.bucket) {
    throw new UserError('no artifacts bucket: set RCDEBUG_AWS_BUCKET on the aws worker (kernel builds, logs and reports go there)', 'RCDEBUG_AWS_BUCKET');
  }
  return opts.bucket;
}
