/**
 * The deployment manifest: what users write once per environment. `cpCluster` and
 * `workloadCluster` drive the cloud clusters (Helm deployments); `local` drives the qemu nodes
 * of the `local` cloud. Validation lives in ./schema.ts.
 */

export interface HelmDeployment {
  chart: string;
  version: string;
  /** OCI registry of the chart, e.g. `ghcr.io/riptideslabs/helm`. */
  registry: string;
  namespace: string;
  /** Relative to the manifest's folder; must stay inside it. */
  valuesFile?: string | undefined;
}

export interface ClusterSpec {
  clusterName: string;
  clusterRegion: string;
  /** Release name → deployment. */
  deployments: Record<string, HelmDeployment>;
}

export interface LocalModule {
  /** Module name; its `.ko` is built by image-bake from the cycle's module under test. */
  name: string;
  /** Module parameters given at load time (`insmod kbug.ko bug=uaf`). */
  params?: Record<string, string | number | boolean> | undefined;
}

export interface LocalWorkload {
  /** Loopback network traffic inside the guest. */
  network?: boolean | undefined;
  /** A file the workload writes to periodically to exercise the module (e.g. `/proc/kbug`). */
  moduleTrigger?: string | undefined;
  /** Seconds between two module triggers. */
  intervalSeconds?: number | undefined;
}

export interface LocalNode {
  name: string;
  modules: LocalModule[];
  workload?: LocalWorkload | undefined;
}

export interface LocalSpec {
  /** Memory per node in MiB (default 1024). */
  memoryMiB?: number | undefined;
  /** vCPUs per node (default 1). */
  cpus?: number | undefined;
  nodes: LocalNode[];
}

export interface Manifest {
  cpCluster?: ClusterSpec | undefined;
  workloadCluster?: ClusterSpec | undefined;
  local?: LocalSpec | undefined;
}
