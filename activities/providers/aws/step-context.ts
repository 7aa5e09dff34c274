/**
 * What every aws step starts with, in order and before any side effect: the manifest loaded
 * and validated, the region decided, clients connected with credentials checked, and the
 * artifact store (S3 mirrored locally when a bucket is configured).
 */
import { join } from 'node:path';
import { localArtifactStore, type ArtifactStore } from '../../artifacts/store';
import type { AwsClients } from './config';
import { s3ArtifactStore } from './s3-artifacts';
import type { StepContext } from '../../../src/domain/contract';
import { UserError } from '../../../src/domain/errors';
import { loadManifestOrThrow } from '../../../src/domain/manifest/load';
import type { Manifest } from '../../../src/domain/manifest/types';
import { resolveInputPath } from '../../../src/domain/paths';
import type { AwsDeps } from './deps';
import { safeName } from '../../iac/names';

export interface AwsStep {
  manifest: Manifest;
  region: string;
  clients: AwsClients;
  artifacts: ArtifactStore;
  /** Local folder of this cycle's files (logs, packer manifests); never holds credentials. */
  workDir: string;
  dispose(): void;
}

export { safeName } from '../../iac/names';

/** The cycle's region: the workload cluster's, else the control plane's, else the worker's AWS_REGION. */
export function cycleRegion(manifest: Manifest, deps: AwsDeps): string {
  const fromManifest = manifest.workloadCluster?.clusterRegion ?? manifest.cpCluster?.clusterRegion;
  if (manifest.workloadCluster && manifest.cpCluster && manifest.workloadCluster.clusterRegion !== manifest.cpCluster.clusterRegion) {
    throw new UserError('cpCluster and workloadCluster are in different regions: the aws stack builds both in one region', 'cpCluster.clusterRegion');
  }
  const region = fromManifest ?? deps.options.region;
  if (!region) throw new UserError('no region: set workloadCluster.clusterRegion in the manifest or AWS_REGION on the worker', 'workloadCluster.clusterRegion');
  return region;
}

/**
 * Opens a step: manifest, region, clients, artifacts. Call `dispose()` in a finally. A step
 * context without a manifest (validateMain's runs: one node, no cluster) has an empty one, and
 * its region is the worker's AWS_REGION.
 */
export async function openStep(ctx: StepContext, deps: AwsDeps): Promise<AwsStep> {
  const manifest: Manifest = ctx.manifest ? await loadManifestOrThrow(resolveInputPath(ctx.manifest)) : {};
  if (ctx.manifest && !manifest.workloadCluster) {
    throw new UserError(`the manifest ${ctx.manifest} has no workloadCluster: the aws cloud needs one to run the debug image on`, 'workloadCluster');
  }
  const region = cycleRegion(manifest, deps);
  const clients = await deps.connect(region);
  const workDir = join(deps.options.stateDir, safeName(ctx.cycleId));
  const localRoot = join(deps.options.stateDir, 'artifacts');
  const artifacts = deps.options.bucket ? s3ArtifactStore(clients, deps.options.bucket, localRoot) : localArtifactStore(localRoot);
  return { manifest, region, clients, artifacts, workDir, dispose: () => clients.destroy() };
}

/** Runs `fn` with an opened step and always releases the clients. */
export async function withStep<T>(ctx: StepContext, deps: AwsDeps, fn: (s: AwsStep) => Promise<T>): Promise<T> {
  const s = await openStep(ctx, deps);
  try {
    return await fn(s);
  } finally {
    s.dispose();
  }
}
