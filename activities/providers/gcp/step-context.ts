/**
 * What every gcp step starts with, in order and before any side effect: the manifest loaded,
 * project, region and zone decided, clients connected with credentials checked, the bucket and
 * the artifact store.
 */
import { join } from 'node:path';
import type { Bucket } from '@google-cloud/storage';
import type { StepContext } from '../../../src/domain/contract';
import { UserError } from '../../../src/domain/errors';
import { loadManifestOrThrow } from '../../../src/domain/manifest/load';
import type { Manifest } from '../../../src/domain/manifest/types';
import { resolveInputPath } from '../../../src/domain/paths';
import type { ArtifactStore } from '../../artifacts/store';
import type { GcpClients } from './config';
import type { GcpDeps } from './deps';
import { gcpIfExists } from './errors';
import { gcsArtifactStore } from './gcs-artifacts';
import { GCP_REGION } from './names';
import type { GcpProviderOptions } from './options';
import { requireBucket } from './options';

export interface GcpStep {
  manifest: Manifest;
  project: string;
  region: string;
  zone: string;
  clients: GcpClients;
  bucket: Bucket;
  artifacts: ArtifactStore;
  /** Local folder of this cycle's files (logs, packer manifests); never holds credentials. */
  workDir: string;
}

import { safeName } from '../../iac/names';

export { safeName } from '../../iac/names';

/** The cycle's region (the workload cluster's) and zone (RCDEBUG_GCP_ZONE, else `<region>-b`). */
export function cycleLocation(manifest: Manifest, opts: GcpProviderOptions): { region: string; zone: string } {
  const region = manifest.workloadCluster?.clusterRegion ?? manifest.cpCluster?.clusterRegion;
  if (manifest.workloadCluster && manifest.cpCluster && manifest.workloadCluster.clusterRegion !== manifest.cpCluster.clusterRegion) {
    throw new UserError('cpCluster and workloadCluster are in different regions: the gcp stack builds both in one region', 'cpCluster.clusterRegion');
  }
  if (!region || !GCP_REGION.test(region)) {
    throw new UserError(`workloadCluster.clusterRegion ${JSON.stringify(region ?? '')} is not a GCP region such as europe-west1`, 'workloadCluster.clusterRegion');
  }
  const zone = opts.zone ?? `${region}-b`;
  if (!zone.startsWith(`${region}-`)) throw new UserError(`RCDEBUG_GCP_ZONE ${zone} is not in the manifest's region ${region}`, 'RCDEBUG_GCP_ZONE');
  return { region, zone };
}

/** Opens a step: manifest, location, clients, bucket. Call `clients.close()` after (withStep does). */
export async function openStep(ctx: StepContext, deps: GcpDeps): Promise<GcpStep> {
  const manifest = await loadManifestOrThrow(resolveInputPath(ctx.manifest));
  if (!manifest.workloadCluster) {
    throw new UserError(`the manifest ${ctx.manifest} has no workloadCluster: the gcp cloud needs one to run the debug image on`, 'workloadCluster');
  }
  const { region, zone } = cycleLocation(manifest, deps.options);
  const bucketName = requireBucket(deps.options);
  const clients = await deps.connect(deps.options);
  const bucket = clients.storage.bucket(bucketName);
  const workDir = join(deps.options.stateDir, safeName(ctx.cycleId));
  return { manifest, project: clients.project, region, zone, clients, bucket, artifacts: gcsArtifactStore(bucket, join(deps.options.stateDir, 'artifacts')), workDir };
}

/** Runs `fn` with an opened step and always releases the clients. */
export async function withStep<T>(ctx: StepContext, deps: GcpDeps, fn: (s: GcpStep) => Promise<T>): Promise<T> {
  const s = await openStep(ctx, deps);
  try {
    return await fn(s);
  } finally {
    await s.clients.close();
  }
}

/** Refuses a zone that does not offer the machine type, before any VM is asked for. */
export async function requireMachineType(s: GcpStep, machineType: string): Promise<void> {
  const found = await gcpIfExists(`compute machineTypes.get ${s.zone}/${machineType}`, () => s.clients.machineTypes.get({ project: s.project, zone: s.zone, machineType }));
  if (!found) {
    {
      throw new UserError(`the zone ${s.zone} has no machine type ${machineType}: set RCDEBUG_GCP_MACHINE_TYPE to one it offers (gcloud compute machine-types list --zones ${s.zone}) or RCDEBUG_GCP_ZONE to another zone`, 'RCDEBUG_GCP_MACHINE_TYPE');
    }
  }
}

/** The newest image of a family; an unknown family is the user's to fix, naming `field`. */
export async function imageFromFamily(s: GcpStep, project: string, family: string, field: string): Promise<{ name: string; selfLink: string; labels: Record<string, string> }> {
  const found = await gcpIfExists(`compute images.getFromFamily ${project}/${family}`, () => s.clients.images.getFromFamily({ project, family }));
  if (!found) throw new UserError(`the image family ${family} does not exist in project ${project} (or has only deprecated images): set ${field} to an existing family`, field);
  const [img] = found;
  return { name: img.name ?? family, selfLink: img.selfLink ?? `projects/${project}/global/images/${img.name}`, labels: (img.labels ?? {}) as Record<string, string> };
}
