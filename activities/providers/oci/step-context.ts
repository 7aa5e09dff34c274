/**
 * What every oci step starts with, in order and before any side effect: the manifest loaded
 * and validated, the API key checked, the clients made, the namespace and bucket known, and
 * the artifact store.
 */
import { join } from 'node:path';
import type { ArtifactStore } from '../../artifacts/store';
import type { StepContext } from '../../../src/domain/contract';
import { UserError } from '../../../src/domain/errors';
import { loadManifestOrThrow } from '../../../src/domain/manifest/load';
import type { Manifest } from '../../../src/domain/manifest/types';
import { resolveInputPath } from '../../../src/domain/paths';
import { objectArtifactStore } from './artifacts';
import type { OciClients } from './clients';
import type { OciDeps } from './deps';
import { namespaceOf, type Bucket } from './objects';
import { required } from './options';

export interface OciStep {
  manifest: Manifest;
  clients: OciClients;
  bucket: Bucket;
  compartmentId: string;
  artifacts: ArtifactStore;
  /** Local folder of this cycle's files (logs, packer manifests); never holds credentials. */
  workDir: string;
}

/** A name safe for files, terraform workspaces and object names. */
export function safeName(id: string, max = 90): string {
  return id.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, max);
}

/** Opens a step; `fn` runs with it and the clients are always closed. */
export async function withStep<T>(ctx: StepContext, deps: OciDeps, fn: (s: OciStep) => Promise<T>): Promise<T> {
  const manifest = await loadManifestOrThrow(resolveInputPath(ctx.manifest));
  if (!manifest.workloadCluster) {
    throw new UserError(`the manifest ${ctx.manifest} has no workloadCluster: the oci cloud needs one to run the debug image on`, 'workloadCluster');
  }
  const compartmentId = required(deps.options, 'compartmentId');
  const bucketName = required(deps.options, 'bucket');
  const clients = deps.connect();
  try {
    const bucket = { client: clients.objectStorage, namespace: await namespaceOf(clients.objectStorage, deps.options.namespace), bucket: bucketName };
    const artifacts = objectArtifactStore(bucket, join(deps.options.stateDir, 'artifacts'));
    return await fn({ manifest, clients, bucket, compartmentId, artifacts, workDir: join(deps.options.stateDir, safeName(ctx.cycleId)) });
  } finally {
    clients.close();
  }
}
