/**
 * Settings of the gcp provider, from the worker's environment (the worker holds the Google
 * credentials; workflows and their history never see any of this).
 */
import { join } from 'node:path';
import { UserError } from '../../../src/domain/errors';
import { envNumber } from '../../env-number';
import { repoRoot, stateDir } from '../../../src/domain/paths';
import { GCP_PROJECT, GCP_ZONE } from './names';

export interface GcpProviderOptions {
  /** The project of every resource: `GOOGLE_CLOUD_PROJECT` (or `CLOUDSDK_CORE_PROJECT`). */
  project?: string | undefined;
  /** Zone of the builder VMs and the workload group: `RCDEBUG_GCP_ZONE`, default `<region>-b`. */
  zone?: string | undefined;
  /** Bucket of artifacts, the registry and (default) terraform state: `RCDEBUG_GCS_BUCKET`. */
  bucket?: string | undefined;
  /** Terraform state bucket: `RCDEBUG_TF_STATE_BUCKET`, default the artifacts bucket. */
  stateBucket?: string | undefined;
  /** Machine type of builders and workload nodes: `RCDEBUG_GCP_MACHINE_TYPE`. */
  machineType: string;
  /** Kubernetes version of kubeadm and GKE: `RCDEBUG_GKE_VERSION`. */
  kubernetesVersion: string;
  /** Ubuntu LTS image family the builders and nodes start from, and its project. */
  sourceImageFamily: string;
  sourceImageProject: string;
  /**
   * Endpoint of Compute Engine, GKE, Secret Manager and Cloud Logging: `RCDEBUG_GCP_API_ENDPOINT`
   * (http://127.0.0.1:PORT of the HTTP stand-in in tests and the dry rehearsal), undefined for Google.
   */
  apiEndpoint?: string | undefined;
  /** Cloud Storage endpoint: `RCDEBUG_GCS_ENDPOINT` (http://127.0.0.1:PORT of fake-gcs-server), undefined for Google. */
  storageEndpoint?: string | undefined;
  packerDir: string;
  terraformDir: string;
  /** Local state: terraform data dirs per cycle, artifacts mirror; never credentials. */
  stateDir: string;
  /** How long cluster-provision waits for the workload nodes to run the debug kernel. */
  clusterWaitSeconds: number;
  /** Seconds between the two kmemleak scans of a double scan (the DaemonSet's wait). */
  kmemleakWaitSeconds: number;
  /** Images of a family kept by the janitor beyond those a registry record names. */
  imageRetention: number;
}

const K8S_VERSION = /^1\.\d+$/;

/** Options from the environment, with `overrides` on top; bad values are refused naming the variable. */
export function gcpProviderOptions(overrides: Partial<GcpProviderOptions> = {}): GcpProviderOptions {
  const env = process.env;
  const opts: GcpProviderOptions = {
    project: env.GOOGLE_CLOUD_PROJECT || env.CLOUDSDK_CORE_PROJECT || undefined,
    zone: env.RCDEBUG_GCP_ZONE || undefined,
    bucket: env.RCDEBUG_GCS_BUCKET || undefined,
    stateBucket: env.RCDEBUG_TF_STATE_BUCKET || undefined,
    machineType: env.RCDEBUG_GCP_MACHINE_TYPE || 'n2-standard-4',
    kubernetesVersion: env.RCDEBUG_GKE_VERSION || '1.33',
    sourceImageFamily: env.RCDEBUG_GCP_SOURCE_IMAGE_FAMILY || 'ubuntu-2404-lts-amd64',
    sourceImageProject: env.RCDEBUG_GCP_SOURCE_IMAGE_PROJECT || 'ubuntu-os-cloud',
    apiEndpoint: env.RCDEBUG_GCP_API_ENDPOINT || undefined,
    storageEndpoint: env.RCDEBUG_GCS_ENDPOINT || undefined,
    packerDir: join(repoRoot, 'packer', 'gcp'),
    terraformDir: join(repoRoot, 'terraform', 'gcp'),
    stateDir: join(stateDir(), 'gcp'),
    clusterWaitSeconds: envNumber('RCDEBUG_GCP_WAIT_SECONDS', 1800),
    kmemleakWaitSeconds: envNumber('RCDEBUG_KMEMLEAK_WAIT_SECONDS', 60),
    imageRetention: envNumber('RCDEBUG_GCP_IMAGE_RETENTION', 5, { whole: true }),
    ...overrides,
  };
  if (!K8S_VERSION.test(opts.kubernetesVersion)) {
    throw new UserError(`RCDEBUG_GKE_VERSION ${JSON.stringify(opts.kubernetesVersion)} is not a Kubernetes major.minor such as 1.33`, 'RCDEBUG_GKE_VERSION');
  }
  if (opts.zone !== undefined && !GCP_ZONE.test(opts.zone)) {
    throw new UserError(`RCDEBUG_GCP_ZONE ${JSON.stringify(opts.zone)} is not a zone such as europe-west1-b`, 'RCDEBUG_GCP_ZONE');
  }
  for (const [name, value] of [['RCDEBUG_GCP_API_ENDPOINT', opts.apiEndpoint], ['RCDEBUG_GCS_ENDPOINT', opts.storageEndpoint]] as const) {
    if (value === undefined) continue;
    try {
      new URL(value);
    } catch {
      throw new UserError(`${name} ${JSON.stringify(value)} is not a URL: unset it for Google, or give http://host:port of the emulator / stand-in`, name);
    }
  }
  return opts;
}

/** The project, or a UserError saying how to set it. */
export function requireProject(opts: GcpProviderOptions): string {
  if (!opts.project) {
    throw new UserError('no GCP project: set GOOGLE_CLOUD_PROJECT on the gcp worker (gcloud config get-value project)', 'GOOGLE_CLOUD_PROJECT', 'export GOOGLE_CLOUD_PROJECT=<project-id>');
  }
  if (!GCP_PROJECT.test(opts.project)) {
    throw new UserError(`GOOGLE_CLOUD_PROJECT ${JSON.stringify(opts.project)} is not a project id (6-30 lowercase letters, digits, '-')`, 'GOOGLE_CLOUD_PROJECT');
  }
  return opts.project;
}

/** The artifacts bucket, or a UserError saying how to set it. */
export function requireBucket(opts: GcpProviderOptions): string {
  if (!opts.bucket) {
    throw new UserError('no Cloud Storage bucket: set RCDEBUG_GCS_BUCKET on the gcp worker (kernel builds, the registry, logs and reports go there)', 'RCDEBUG_GCS_BUCKET');
  }
  return opts.bucket;
}
