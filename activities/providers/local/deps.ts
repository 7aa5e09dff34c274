import type { ArtifactStore } from '../../artifacts/store';
import type { VersionRegistry } from '../../../src/domain/registry/scheme';

/** What the local provider's steps need; tests hand in their own. */
export interface LocalDeps {
  artifacts: ArtifactStore;
  registry: VersionRegistry;
  /** Heavy, rebuildable things: kernel sources and builds, images (outside the checkout). */
  cacheDir: string;
  /** Run state: VM pid files, sockets, consoles. */
  stateDir: string;
  /** Kernel source: a tree, or a `linux-source-*.tar.xz`; default the Debian tarball. */
  kernelSource?: string | undefined;
}
