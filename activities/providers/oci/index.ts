import type { CloudProvider } from '../../../src/domain/contract';
import { publishVersion } from '../../steps/version-publish';
import { ociClusterProvision } from './cluster-provision';
import { defaultConnect, type OciDeps } from './deps';
import { ociDeploy } from './deploy';
import { ociImageBake } from './image-bake';
import { ociKernelBuild } from './kernel-build';
import { ociLogHarvest } from './log-harvest';
import { objectRegistry } from './object-registry';
import { ociProviderOptions, type OciProviderOptions } from './options';
import { ociSoakCheck } from './soak-check';
import { withStep } from './step-context';
import { ociTeardown } from './teardown';

export type { OciDeps } from './deps';
export type { OciProviderOptions } from './options';

/**
 * The `oci` cloud: Packer (oracle-oci) builds the UEK debug kernel and bakes a custom image from
 * the OKE worker image, Object Storage holds the registry and the artifacts, terraform builds
 * two OKE clusters per cycle (the workload node pool on the debug image), helm deploys the
 * manifest, Run Command scans for leaks, console history and OCI Logging give the logs.
 * Settings come from the worker's environment (./options.ts, ./credentials.ts).
 */
export function createOciProvider(overrides: Partial<Omit<OciDeps, 'options'>> & { options?: Partial<OciProviderOptions> } = {}): CloudProvider {
  const options = ociProviderOptions(overrides.options);
  const deps: OciDeps = { connect: defaultConnect(options), ...overrides, options };
  return {
    cloud: 'oci',
    kernelBuild: (input, io) => ociKernelBuild(input, io, deps),
    imageBake: (input, io) => ociImageBake(input, io, deps),
    versionPublish: (input, io) => withStep(input.ctx, deps, (s) => publishVersion(input, io, objectRegistry(s.bucket))),
    clusterProvision: (input, io) => ociClusterProvision(input, io, deps),
    deploy: (input, io) => ociDeploy(input, io, deps),
    soakCheck: (input, io) => ociSoakCheck(input, io, deps),
    logHarvest: (input, io) => ociLogHarvest(input, io, deps),
    teardown: (input, io) => ociTeardown(input, io, deps),
  };
}
