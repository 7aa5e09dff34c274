import type { CloudProvider } from '../../../src/domain/contract';
import { awsClusterProvision } from './cluster-provision';
import { defaultConnect, type AwsDeps } from './deps';
import { awsDeploy } from './deploy';
import { awsImageBake } from './image-bake';
import { awsKernelBuild } from './kernel-build';
import { awsLogHarvest } from './log-harvest';
import { awsProviderOptions, type AwsProviderOptions } from './options';
import { awsSoakCheck } from './soak-check';
import { awsTeardown } from './teardown';
import { awsVersionPublish } from './version-publish';

export type { AwsDeps } from './deps';
export type { AwsProviderOptions } from './options';

/**
 * The `aws` cloud: Packer builds the kernel and bakes the AMI, SSM Parameter Store records
 * it, terraform builds two EKS clusters per cycle, helm deploys the manifest, SSM Run Command
 * scans for leaks, CloudWatch and the EC2 console give the logs. Settings come from the
 * worker's environment (see ./options.ts); tests override any dependency.
 */
export function createAwsProvider(overrides: Partial<Omit<AwsDeps, 'options'>> & { options?: Partial<AwsProviderOptions> } = {}): CloudProvider {
  const deps: AwsDeps = {
    connect: defaultConnect,
    ...overrides,
    options: awsProviderOptions(overrides.options),
  };
  return {
    cloud: 'aws',
    kernelBuild: (input, io) => awsKernelBuild(input, io, deps),
    imageBake: (input, io) => awsImageBake(input, io, deps),
    versionPublish: (input, io) => awsVersionPublish(input, io, deps),
    clusterProvision: (input, io) => awsClusterProvision(input, io, deps),
    deploy: (input, io) => awsDeploy(input, io, deps),
    soakCheck: (input, io) => awsSoakCheck(input, io, deps),
    logHarvest: (input, io) => awsLogHarvest(input, io, deps),
    teardown: (input, io) => awsTeardown(input, io, deps),
  };
}
