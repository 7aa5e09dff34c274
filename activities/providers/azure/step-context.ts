/**
 * What every azure step starts with, in order and before any side effect: the manifest loaded
 * and validated, the region decided, clients connected with credentials checked, and the
 * artifact store (Blob Storage mirrored locally when a storage account is configured).
 */
import { join } from 'node:path';
import { localArtifactStore, type ArtifactStore } from '../../artifacts/store';
import { safeName } from '../../iac/names';
import type { StepContext } from '../../../src/domain/contract';
import { UserError } from '../../../src/domain/errors';
import { loadManifestOrThrow } from '../../../src/domain/manifest/load';
import type { Manifest } from '../../../src/domain/manifest/types';
import { resolveInputPath } from '../../../src/domain/paths';
import { blobArtifactStore } from './blob-artifacts';
import type { AzureClients } from './config';
import type { AzureDeps } from './deps';

export { safeName };

export interface AzureStep {
  manifest: Manifest;
  location: string;
  clients: AzureClients;
  artifacts: ArtifactStore;
  /** Local folder of this cycle's files (logs, packer manifests); never holds credentials. */
  workDir: string;
}


/** The cycle's region: the workload cluster's, else the control plane's, else RCDEBUG_AZURE_LOCATION. */
export function cycleLocation(manifest: Manifest, deps: AzureDeps): string {
  if (manifest.workloadCluster && manifest.cpCluster && manifest.workloadCluster.clusterRegion !== manifest.cpCluster.clusterRegion) {
    throw new UserError('cpCluster and workloadCluster are in different regions: the azure stack builds both in one region', 'cpCluster.clusterRegion');
  }
  const location = manifest.workloadCluster?.clusterRegion ?? manifest.cpCluster?.clusterRegion ?? deps.options.location;
  if (!location) throw new UserError('no region: set workloadCluster.clusterRegion in the manifest or RCDEBUG_AZURE_LOCATION on the worker', 'workloadCluster.clusterRegion');
  return location;
}

/** Opens a step: manifest, region, clients, artifacts. */
export async function openStep(ctx: StepContext, deps: AzureDeps): Promise<AzureStep> {
  const manifest = await loadManifestOrThrow(resolveInputPath(ctx.manifest));
  if (!manifest.workloadCluster) {
    throw new UserError(`the manifest ${ctx.manifest} has no workloadCluster: the azure cloud needs one to run the debug image on`, 'workloadCluster');
  }
  const location = cycleLocation(manifest, deps);
  const clients = await deps.connect(deps.options);
  const localRoot = join(deps.options.stateDir, 'artifacts');
  const artifacts = clients.blob ? blobArtifactStore(clients.blob, deps.options.container, localRoot) : localArtifactStore(localRoot);
  return { manifest, location, clients, artifacts, workDir: join(deps.options.stateDir, safeName(ctx.cycleId)) };
}

/** Runs `fn` with an opened step. */
export async function withStep<T>(ctx: StepContext, deps: AzureDeps, fn: (s: AzureStep) => Promise<T>): Promise<T> {
  return fn(await openStep(ctx, deps));
}

/** The blob client, or a UserError saying how to configure a storage account. */
export function requireBlob(s: AzureStep) {
  if (!s.clients.blob) {
    throw new UserError('no storage account: set RCDEBUG_AZURE_STORAGE_URL on the azure worker (kernel builds, logs and reports go there)', 'RCDEBUG_AZURE_STORAGE_URL');
  }
  return s.clients.blob;
}
