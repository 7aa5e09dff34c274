import type { CloudProvider } from '../../../src/domain/contract';
import { publishVersion } from '../../steps/version-publish';
import { gcpClusterProvision } from './cluster-provision';
import { defaultConnect, type GcpDeps } from './deps';
import { gcpDeploy } from './deploy';
import { gcsRegistry } from './gcs-registry';
import { gcpImageBake } from './image-bake';
import { gcpKernelBuild } from './kernel-build';
import { gcpLogHarvest } from './log-harvest';
import { labelValue } from './names';
import { gcpProviderOptions, type GcpProviderOptions } from './options';
import { gcpSoakCheck } from './soak-check';
import { withStep } from './step-context';
import { gcpTeardown } from './teardown';

export type { GcpDeps } from './deps';
export type { GcpProviderOptions } from './options';

/**
 * The `gcp` cloud: Packer (googlecompute) builds the kernel and bakes the image into the family
 * `rcdebug-<flavor>`, Cloud Storage objects hold the registry, terraform builds the GKE
 * cpCluster and the kubeadm workload cluster on a managed instance group, helm deploys the
 * manifest, a privileged DaemonSet scans for leaks, the serial console and Cloud Logging give
 * the logs. Settings come from the worker's environment (./options.ts); tests override any dependency.
 */
export function createGcpProvider(overrides: Partial<Omit<GcpDeps, 'options'>> & { options?: Partial<GcpProviderOptions> } = {}): CloudProvider {
  const deps: GcpDeps = { connect: defaultConnect, ...overrides, options: gcpProviderOptions(overrides.options) };
  return {
    cloud: 'gcp',
    kernelBuild: (input, io) => gcpKernelBuild(input, io, deps),
    imageBake: (input, io) => gcpImageBake(input, io, deps),
    // Objects carry the cycle as metadata, so the janitor finds a cycle's registry entries.
    versionPublish: (input, io) => withStep(input.ctx, deps, (s) => publishVersion(input, io, gcsRegistry(s.bucket, { labels: { 'rcdebug-cycle': labelValue(input.ctx.cycleId) } }))),
    clusterProvision: (input, io) => gcpClusterProvision(input, io, deps),
    deploy: (input, io) => gcpDeploy(input, io, deps),
    soakCheck: (input, io) => gcpSoakCheck(input, io, deps),
    logHarvest: (input, io) => gcpLogHarvest(input, io, deps),
    teardown: (input, io) => gcpTeardown(input, io, deps),
  };
}
