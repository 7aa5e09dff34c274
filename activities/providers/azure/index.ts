import type { CloudProvider } from '../../../src/domain/contract';
import { azureClusterProvision } from './cluster-provision';
import { defaultConnect, type AzureDeps } from './deps';
import { azureDeploy } from './deploy';
import { azureImageBake } from './image-bake';
import { azureKernelBuild } from './kernel-build';
import { azureLogHarvest } from './log-harvest';
import { azureProviderOptions, type AzureProviderOptions } from './options';
import { azureSoakCheck } from './soak-check';
import { azureTeardown } from './teardown';
import { azureVersionPublish } from './version-publish';

export type { AzureDeps } from './deps';
export type { AzureProviderOptions } from './options';

/**
 * The `azure` cloud: Packer (azure-arm) builds the kernel and bakes a Compute Gallery version,
 * App Configuration records it, terraform builds the cpCluster on AKS and the workload cluster
 * as kubeadm on a scale set of the debug image, helm deploys the manifest, Run Command scans
 * for leaks, boot diagnostics and Log Analytics give the logs. Settings come from the worker's
 * environment (see ./options.ts); tests override any dependency.
 */
export function createAzureProvider(overrides: Partial<Omit<AzureDeps, 'options'>> & { options?: Partial<AzureProviderOptions> } = {}): CloudProvider {
  const options = azureProviderOptions(overrides.options);
  const deps: AzureDeps = {
    connect: (o) => defaultConnect(o, { pollMs: overrides.pollMs }),
    ...overrides,
    options,
  };
  return {
    cloud: 'azure',
    kernelBuild: (input, io) => azureKernelBuild(input, io, deps),
    imageBake: (input, io) => azureImageBake(input, io, deps),
    versionPublish: (input, io) => azureVersionPublish(input, io, deps),
    clusterProvision: (input, io) => azureClusterProvision(input, io, deps),
    deploy: (input, io) => azureDeploy(input, io, deps),
    soakCheck: (input, io) => azureSoakCheck(input, io, deps),
    logHarvest: (input, io) => azureLogHarvest(input, io, deps),
    teardown: (input, io) => azureTeardown(input, io, deps),
  };
}
