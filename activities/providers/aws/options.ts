/**
 * Settings of the aws provider, from the worker's environment (the worker holds the AWS
 * credentials; workflows and their history never see any of this).
 */
import { join } from 'node:path';
import { UserError } from '../../../src/domain/errors';
import { envNumber } from '../../env-number';
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
  /** validateMain's single node (see ./single-node.ts); read only by those steps. */
  node: AwsNodeOptions;
}

/** Where and how validateMain's one EC2 instance runs. */
export interface AwsNodeOptions {
  /** Subnet of the instance (`RCDEBUG_AWS_NODE_SUBNET`); it needs a route to SSM and S3. */
  subnet?: string | undefined;
  /** Security groups (`RCDEBUG_AWS_NODE_SECURITY_GROUPS`, comma separated); default the VPC's default group. */
  securityGroups: string[];
  /** Instance profile name or ARN (`RCDEBUG_AWS_NODE_INSTANCE_PROFILE`): SSM managed-instance core plus read/write of the artifacts bucket. */
  instanceProfile?: string | undefined;
  /** `RCDEBUG_AWS_NODE_INSTANCE_TYPE`; a debug kernel wants the memory. */
  instanceType: string;
  /** How long node-boot waits for the instance to run and its SSM agent to come online (`RCDEBUG_AWS_NODE_WAIT_SECONDS`). */
  bootWaitSeconds: number;
}

const K8S_VERSION = /^1\.\d+$/;

/** What a caller (a test) may set over the environment; the node's settings one by one. */
export type AwsOptionOverrides = Partial<Omit<AwsProviderOptions, 'node'>> & { node?: Partial<AwsNodeOptions> | undefined };

/** Options from the environment, with `overrides` on top. */
export function awsProviderOptions(overrides: AwsOptionOverrides = {}): AwsProviderOptions {
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
    clusterWaitSeconds: envNumber('RCDEBUG_EKS_WAIT_SECONDS', 1800),
    kmemleakWaitSeconds: envNumber('RCDEBUG_KMEMLEAK_WAIT_SECONDS', 60),
    ...overrides,
    node: {
      subnet: env.RCDEBUG_AWS_NODE_SUBNET || undefined,
      securityGroups: (env.RCDEBUG_AWS_NODE_SECURITY_GROUPS ?? '').split(',').map((g) => g.trim()).filter(Boolean),
      instanceProfile: env.RCDEBUG_AWS_NODE_INSTANCE_PROFILE || undefined,
      instanceType: env.RCDEBUG_AWS_NODE_INSTANCE_TYPE || 'm6i.xlarge',
      bootWaitSeconds: envNumber('RCDEBUG_AWS_NODE_WAIT_SECONDS', 900),
      ...overrides.node,
    },
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
