import { join } from 'node:path';
import { localArtifactStore } from '../../artifacts/store';
import { publishVersion } from '../../steps/version-publish';
import type { CloudProvider } from '../../../src/domain/contract';
import { cacheDir, stateDir } from '../../../src/domain/paths';
import { localRegistry } from './registry';
import { bootTimeoutSeconds, localClusterProvision } from './cluster-provision';
import type { LocalDeps } from './deps';
import { localDeploy } from './deploy';
import { localImageBake } from './image-bake';
import { localKernelBuild } from './kernel-build';
import { localLogHarvest } from './log-harvest';
import { localSoakCheck } from './soak-check';
import { localSingleNode } from './single-node';
import { localTeardown } from './teardown';

/** The dependencies of the local cloud when nothing is overridden: everything under the state and cache dirs. */
export function defaultLocalDeps(): LocalDeps {
  const state = stateDir();
  return {
    artifacts: localArtifactStore(join(state, 'artifacts')),
    registry: localRegistry(join(state, 'registry')),
    cacheDir: cacheDir(),
    stateDir: join(state, 'local'),
  };
}

/**
 * The `local` cloud: a debug kernel and an initramfs built here, qemu VMs as nodes, the guest
 * agent on each VM's second serial port as the control channel. Tests override any dependency.
 */
export function createLocalProvider(overrides: Partial<LocalDeps> = {}): CloudProvider {
  const deps: LocalDeps = { ...defaultLocalDeps(), ...overrides };
  // Read once here too, so a bad RCDEBUG_BOOT_TIMEOUT_S stops the worker's start, not a provision.
  bootTimeoutSeconds('tcg');
  return {
    cloud: 'local',
    kernelBuild: (input, io) => localKernelBuild(input, io, deps),
    imageBake: (input, io) => localImageBake(input, io, deps),
    versionPublish: (input, io) => publishVersion(input, io, deps.registry),
    clusterProvision: (input, io) => localClusterProvision(input, io, deps),
    deploy: (input, io) => localDeploy(input, io, deps),
    soakCheck: (input, io) => localSoakCheck(input, io, deps),
    logHarvest: (input, io) => localLogHarvest(input, io, deps),
    teardown: (input, io) => localTeardown(input, io, deps),
    singleNode: localSingleNode(deps),
  };
}
