/**
 * The shape of the deployment manifest as a zod schema: types, patterns and unknown keys.
 * Meaning across fields (values files, unique names, at least one target) is in ./rules.ts.
 * The JSON Schema in manifests/manifest.schema.json is generated from this one.
 */
import { z } from 'zod';
import type { Manifest } from './types';
import {
  CLOUD_REGION,
  CHART_VERSION,
  DNS1123_LABEL,
  DNS1123_LABEL_MAX,
  HELM_CHART,
  HELM_RELEASE_MAX,
  MODULE_NAME,
  MODULE_PARAM,
  OCI_REGISTRY,
} from './names';

const dnsLabel = (what: string) =>
  z
    .string()
    .max(DNS1123_LABEL_MAX, `a ${what} has at most ${DNS1123_LABEL_MAX} characters`)
    .regex(DNS1123_LABEL, `a ${what} must be lower case letters, digits and '-', starting and ending with a letter or digit (Kubernetes DNS-1123 label)`);

const releaseName = z
  .string()
  .max(HELM_RELEASE_MAX, `a Helm release name has at most ${HELM_RELEASE_MAX} characters`)
  .regex(DNS1123_LABEL, "a Helm release name must be lower case letters, digits and '-', starting and ending with a letter or digit")
  .describe('Helm release name');

export const helmDeploymentSchema = z
  .strictObject({
    chart: z.string().regex(HELM_CHART, "a chart name is lower case letters, digits and '-'").describe('Chart name in the OCI registry'),
    version: z
      .string()
      .regex(CHART_VERSION, 'a chart version is SemVer, e.g. v0.1.9 or 1.2.3-rc.1 (quote it in YAML so it stays a string)')
      .describe('Chart version (SemVer, optional leading v)'),
    registry: z
      .string()
      .regex(OCI_REGISTRY, 'an OCI registry is host[/path] without scheme, e.g. ghcr.io/riptideslabs/helm')
      .describe('OCI registry of the chart, without oci://'),
    namespace: dnsLabel('namespace').describe('Namespace to install into; created when missing'),
    valuesFile: z.string().min(1).optional().describe("Helm values file, relative to the manifest's folder and inside it"),
  })
  .describe('One Helm deployment');

export const clusterSpecSchema = z
  .strictObject({
    // Each cloud names clusters by its own rules; its plugin checks them for a cycle on it.
    clusterName: z.string().min(1, 'a cluster name is required').describe("Cluster name (the cloud's naming rules apply)"),
    // Every cloud spells regions in lower case, digits and dashes (eu-west-1, westeurope,
    // europe-west1); the provider checks its own format when it uses the region.
    clusterRegion: z.string().regex(CLOUD_REGION, 'a region is a code such as eu-west-1').describe('Cloud region of the cluster'),
    deployments: z.record(releaseName, helmDeploymentSchema).describe('Release name → deployment'),
  })
  .describe('A cluster and what to deploy on it');

export const localModuleSchema = z.strictObject({
  name: z.string().regex(MODULE_NAME, "a module name is letters, digits, '_' and '-'").describe('Module name'),
  params: z
    .record(
      z.string().regex(MODULE_PARAM, 'a module parameter name is a C identifier'),
      z.union([z.string(), z.number(), z.boolean()]),
    )
    .optional()
    .describe('Module parameters given at load time'),
});

export const localWorkloadSchema = z.strictObject({
  network: z.boolean().optional().describe('Loopback network traffic inside the guest'),
  moduleTrigger: z.string().startsWith('/', 'moduleTrigger is an absolute path inside the guest, e.g. /proc/kbug').optional(),
  intervalSeconds: z.number().positive('intervalSeconds must be more than 0').max(3600).optional(),
});

export const localNodeSchema = z.strictObject({
  name: dnsLabel('node name').describe('Node name'),
  modules: z.array(localModuleSchema).describe('Modules loaded on this node'),
  workload: localWorkloadSchema.optional(),
});

export const localSpecSchema = z.strictObject({
  memoryMiB: z.number().int().min(256, 'memoryMiB is at least 256').max(65536).optional().describe('Memory per node in MiB (default 1024)'),
  cpus: z.number().int().min(1).max(64).optional().describe('vCPUs per node (default 1)'),
  nodes: z.array(localNodeSchema).min(1, 'give at least one node').describe('The qemu nodes'),
});

/** The deployment manifest. */
export const manifestSchema = z
  .strictObject({
    cpCluster: clusterSpecSchema.optional().describe('The control-plane cluster'),
    workloadCluster: clusterSpecSchema.optional().describe('The workload cluster (runs on the debug image)'),
    local: localSpecSchema.optional().describe('Nodes of the local cloud'),
  })
  .describe('rcdebug deployment manifest');

// The hand-written types and the schema must describe the same thing; this fails to compile
// when one of them changes alone.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _sameShape: Same<z.infer<typeof manifestSchema>, Manifest> = true;
void _sameShape;

/** The manifest's top-level sections, for messages that list what a manifest may hold. */
export const SECTIONS: readonly string[] = Object.keys(manifestSchema.shape);
