import type { CloudProvider } from '../../../src/domain/contract';
import { publishVersion } from '../../steps/version-publish';
import { awsClusterProvision } from './cluster-provision';
import { defaultConnect, type AwsDeps } from './deps';
import { awsDeploy } from './deploy';
import { awsImageBake } from './image-bake';
import { awsKernelBuild } from './kernel-build';
import { awsLogHarvest } from './log-harvest';
import { awsProviderOptions, type AwsOptionOverrides } from './options';
import { awsSingleNode } from './single-node';
import { awsSoakCheck } from './soak-check';
import { awsTeardown } from './teardown';
import { ssmRegistry } from './ssm-registry';
import { withStep } from './step-context';

export type { AwsDeps } from './deps';
export type { AwsProviderOptions } from './options';

/**
 * The `aws` cloud: Packer builds the kernel and bakes the AMI, SSM Parameter Store records
 * it, terraform builds two EKS clusters per cycle, helm deploys the manifest, SSM Run Command
 * scans for leaks, CloudWatch and the EC2 console give the logs; validateMain gets one EC2
 * instance of the debug AMI and runs the module's tests on it through SSM Run Command. Settings come from the
 * worker's environment (see ./options.ts); tests override any dependency.
 */
export function createAwsProvider(overrides: Partial<Omit<AwsDeps, 'options'>> & { options?: AwsOptionOverrides } = {}): CloudProvider {
  const deps: AwsDeps = {
    connect: defaultConnect,
    ...overrides,
    options: awsProviderOptions(overrides.options),
  };
  return {
    cloud: 'aws',
    kernelBuild: (input, io) => awsKernelBuild(input, io, deps),
    imageBake: (input, io) => awsImageBake(input, io, deps),
    // The SSM registry tags what it writes with the cycle, so the janitor finds a cycle's parameters.
    versionPublish: (input, io) => withStep(input.ctx, deps, (s) => publishVersion(input, io, ssmRegistry(s.clients.ssm, { tags: { 'rcdebug:cycle': input.ctx.cycleId } }))),
    clusterProvision: (input, io) => awsClusterProvision(input, io, deps),
    deploy: (input, io) => awsDeploy(input, io, deps),
    soakCheck: (input, io) => awsSoakCheck(input, io, deps),
    logHarvest: (input, io) => awsLogHarvest(input, io, deps),
    teardown: (input, io) => awsTeardown(input, io, deps),
    singleNode: awsSingleNode(deps),
  };
}
