/**
 * The activities contract: the typed inputs and outputs of every step of a cycle.
 *
 * Pure types and constants only. Workflow code imports this module, so nothing here may
 * touch Node built-ins or do I/O.
 */
import type { SingleNodeSteps } from './validate';

/**
 * The clouds this build has a plugin for (`activities/providers/<cloud>/plugin.ts`), each with
 * its own activity task queue `<base>-<cloud>`. The one shared list a new cloud is added to.
 */
export const CLOUDS = ['local', 'aws', 'azure', 'gcp', 'oci'] as const;
export type CloudName = (typeof CLOUDS)[number];

/** The cloud a cycle, a worker and the demo use when none is named: qemu VMs on this machine. */
export const DEFAULT_CLOUD: CloudName = 'local';

/** Debug kernel flavors; each is a set of config fragments under `kernel/flavors/<flavor>/`. */
export const FLAVORS = ['kasan', 'kcsan'] as const;
export type Flavor = (typeof FLAVORS)[number];

/**
 * What a kernel anomaly does to its node (`onKernelError`): `report` (the default) keeps the
 * node running and reports it; `panic` turns on the safety nets (panic on oops, soft lockup,
 * hung task, KASAN report) so the first anomaly stops that node with a panic, recorded as a
 * finding while the other nodes soak on.
 */
export const ON_KERNEL_ERROR = ['report', 'panic'] as const;
export type OnKernelError = (typeof ON_KERNEL_ERROR)[number];

/** The steps of `cloudCycle`, in order. Teardown is not in the list: it runs as a compensation. */
export const STEPS = [
  'kernel-build',
  'image-bake',
  'version-publish',
  'cluster-provision',
  'deploy',
  'soak',
  'log-harvest',
] as const;
export type MainStep = (typeof STEPS)[number];
export type StepName = MainStep | 'teardown';
export const ALL_STEPS: readonly StepName[] = [...STEPS, 'teardown'];

/** A reference to an artifact in the artifact store: `file:///abs/path` or `s3://bucket/key`. */
export type ArtifactRef = string;

/** The kernel module(s) under test. */
export interface ModuleUnderTest {
  /** Module name as `modprobe`/`insmod` knows it, e.g. `kbug`. */
  name: string;
  /** Source directory of the out-of-tree module (relative to the repository root, or absolute). */
  source: string;
  /** Version string recorded in reproducers (git describe, package version...). */
  version: string;
}

export interface SoakSettings {
  /** How long the workload runs, in seconds. */
  durationSeconds: number;
  /** Seconds between node health checks. */
  checkIntervalSeconds: number;
  /** Seconds between kmemleak double scans (scan, wait, scan). 0 disables periodic scans. */
  scanIntervalSeconds: number;
  /** `new-finding`: end the soak at the first finding not in the baseline. Absent: run it out. */
  stopOn?: SoakStopOn | undefined;
}

/** What may end a soak before its duration (`soak.stopOn`). */
export const SOAK_STOP_ON = ['new-finding'] as const;
export type SoakStopOn = (typeof SOAK_STOP_ON)[number];

/** What happens to the cluster at the end of a cycle. */
export type TeardownPolicy = 'always' | 'keep-on-failure' | 'keep';

/** The named activity profiles (see workflows/profiles.ts). */
export const PROFILE_NAMES = ['quick', 'toolRun', 'soak', 'teardown'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

export interface ProfileOverride {
  /** How long a step's activity may wait for a worker to start it before the step parks. */
  scheduleToStartSeconds?: number | undefined;
  startToCloseSeconds?: number | undefined;
  heartbeatSeconds?: number | undefined;
  maximumAttempts?: number | undefined;
  initialIntervalSeconds?: number | undefined;
}

/** The input of `rcCycle`, after defaults were applied. The UI and the CLI send a partial one. */
export interface CycleInput {
  /** Release candidate under test, a version string such as `v1.4.0-rc2`. */
  rc: string;
  clouds: CloudName[];
  flavors: Flavor[];
  soak: SoakSettings;
  teardown: TeardownPolicy;
  /** Deployment manifest path (relative to the repository root, or absolute). */
  manifest: string;
  module: ModuleUnderTest;
  /** Known-issues baseline (YAML), optional. */
  baseline?: string | undefined;
  /** Seconds a parked cycle waits for an operator before it aborts and tears down. */
  operatorTimeoutSeconds: number;
  /** What a kernel anomaly does to its node; absent in cycles started before it existed: `report`. */
  onKernelError?: OnKernelError | undefined;
  /** With `onKernelError: panic`: a WARN panics too (`panic_on_warn=1`). */
  panicOnWarn?: boolean | undefined;
  /** Base of the task queue names: workflows on `<base>`, activities on `<base>-<cloud>`. */
  taskQueue: string;
  /** Per-profile overrides of timeouts and retries (slow clouds, tests). */
  profiles?: Partial<Record<ProfileName, ProfileOverride>> | undefined;
  /**
   * Outputs of steps that finished in an earlier cycle, by child key (`<cloud>-<flavor>`).
   * Set by `rcdebug rerun --from`; those steps are not run again.
   */
  reuse?: Record<string, Partial<StepOutputs>> | undefined;
}

/** The input of one `cloudCycle` child. */
export interface CloudCycleInput extends Omit<CycleInput, 'clouds' | 'flavors' | 'reuse'> {
  cloud: CloudName;
  flavor: Flavor;
  /** Id of the parent cycle; names artifacts and cloud resources. */
  cycleId: string;
  reuse?: Partial<StepOutputs> | undefined;
}

/** What every step receives: who it is working for. */
export interface StepContext {
  /** Id of the `cloudCycle` workflow; unique per cloud and flavor, used to tag resources. */
  cycleId: string;
  rc: string;
  cloud: CloudName;
  flavor: Flavor;
  module: ModuleUnderTest;
  manifest: string;
  baseline?: string | undefined;
  soak: SoakSettings;
  onKernelError?: OnKernelError | undefined;
  panicOnWarn?: boolean | undefined;
}

export interface KernelBuildOutput {
  /** Digest of every input of the build (source version, fragments, compiler). */
  digest: string;
  kernelRelease: string;
  configDigest: string;
  cacheHit: boolean;
  /** Kernel image / packages, build log and reproducer script. */
  artifacts: { kernel: ArtifactRef; log: ArtifactRef; reproducer: ArtifactRef; config: ArtifactRef };
}

export interface ImageBakeOutput {
  /** The cloud's image id (machine image, gallery version...) or, for an image on the worker, its path. */
  imageId: string;
  digest: string;
  cacheHit: boolean;
  artifacts: Record<string, ArtifactRef>;
}

export interface VersionPublishOutput {
  /** Every registry key written. */
  paths: string[];
  latest: string;
  rcPointer: string;
}

export interface NodeInfo {
  name: string;
  /** Where its kernel console goes. */
  console: ArtifactRef;
  /** Provider details: instance id, pid, address... */
  details?: Record<string, string> | undefined;
}

export interface ClusterProvisionOutput {
  clusterId: string;
  nodes: NodeInfo[];
  /** Provider outputs (cluster names, endpoints, terraform workspace...). */
  details: Record<string, string>;
}

export interface DeployOutput {
  /** Helm releases (`cluster/namespace/release@version`) or loaded modules (`node: module params`). */
  releases: string[];
  /** onKernelError `panic`: nodes whose kernel panicked while the module loaded, with the panic line. */
  dead?: Record<string, string> | undefined;
}

export interface NodeHealth {
  name: string;
  healthy: boolean;
  panicked: boolean;
  detail: string;
}

export interface SoakCheckInput {
  ctx: StepContext;
  cluster: ClusterProvisionOutput;
  /** 1-based number of this check. */
  tick: number;
  /** Run a kmemleak double scan in this check. */
  scan: boolean;
  elapsedSeconds: number;
  /** Where the previous check stopped parsing each node's console, by node name; absent at the first check. */
  consoles?: Record<string, ConsoleMark> | undefined;
  /** Nodes whose kernel panicked at an earlier check (onKernelError `panic`), with the panic line: not checked again. */
  dead?: Record<string, string> | undefined;
}

/** Where the parse of one node's console stands between two soak checks (byte offsets, never text). */
export interface ConsoleMark {
  /** First byte not part of a finished report: the next check parses from here. */
  offset: number;
  /** Every report whose header starts before this byte was already returned by a check, none after it. */
  reported: number;
  /** End of the whole lines the previous check read: a report still open that started before it is returned. */
  read: number;
}

export interface SoakCheckOutput {
  nodes: NodeHealth[];
  /** A node's kernel panicked: the soak ends early; this is a finding, not an error. */
  panicked: boolean;
  /** Where this check stopped parsing each node's console: the next check's `consoles`. */
  consoles?: Record<string, ConsoleMark> | undefined;
  /** The reports in the console output since the previous check, grouped by signature (no report text). */
  findings?: FindingSummary[] | undefined;
}

/** A finding seen during the soak, as the cycle's state shows it. */
export interface SoakFinding extends FindingSummary {
  /** When it was first seen: the time and the soak check's number. */
  firstSeen: { at: string; check: number };
}

/** What the soak step as a whole produced (built by the workflow from its checks). */
export interface SoakOutput {
  checks: number;
  scans: number;
  elapsedSeconds: number;
  endedEarly: boolean;
  /** `new-finding`: `soak.stopOn` ended it at a finding not in the baseline. */
  reason: 'duration' | 'panic' | 'new-finding';
  lastHealth: NodeHealth[];
  /** The nodes that died during the soak and of what (their panic line), by node name. */
  deadNodes?: Record<string, string> | undefined;
}

export type FindingStatus = 'new' | 'known' | 'fixed';

export interface FindingSummary {
  title: string;
  signature: string;
  status: FindingStatus;
  type: string;
  /** Nodes it was seen on. */
  nodes: string[];
  count: number;
  /** `file:line` of the guilty frame, when log-harvest had the debug binaries to resolve it. */
  source?: string | undefined;
}

export type Verdict = 'clean' | 'findings' | 'failed' | 'aborted' | 'cancelled' | 'running';

export interface LogHarvestOutput {
  /** `findings` when at least one new finding; `clean` otherwise. */
  verdict: 'clean' | 'findings';
  counts: { new: number; known: number; fixed: number; total: number };
  findings: FindingSummary[];
  reports: { markdown: ArtifactRef; json: ArtifactRef; junit: ArtifactRef };
  /** Per node: `clean` or `findings`. */
  nodes: Record<string, 'clean' | 'findings'>;
}

export interface TeardownOutput {
  removed: string[];
}

/** The output of each step, by step: what the cycle keeps, shows and reuses on a rerun. */
export interface StepOutputs {
  'kernel-build': KernelBuildOutput;
  'image-bake': ImageBakeOutput;
  'version-publish': VersionPublishOutput;
  'cluster-provision': ClusterProvisionOutput;
  deploy: DeployOutput;
  soak: SoakOutput;
  'log-harvest': LogHarvestOutput;
}

export interface KernelBuildInput { ctx: StepContext }
export interface ImageBakeInput { ctx: StepContext; kernel: KernelBuildOutput }
export interface VersionPublishInput { ctx: StepContext; kernel: KernelBuildOutput; image: ImageBakeOutput }
export interface ClusterProvisionInput { ctx: StepContext; kernel: KernelBuildOutput; image: ImageBakeOutput }
export interface DeployInput { ctx: StepContext; cluster: ClusterProvisionOutput }
export interface LogHarvestInput {
  ctx: StepContext;
  kernel?: KernelBuildOutput | undefined;
  image?: ImageBakeOutput | undefined;
  cluster?: ClusterProvisionOutput | undefined;
  soak?: SoakOutput | undefined;
}
export interface TeardownInput { ctx: StepContext; cluster?: ClusterProvisionOutput | undefined }

/** Progress of a running step, sent as activity heartbeat details. */
export interface StepProgress {
  /** Short human text: `compiled 812/2450 objects`, `packer: amazon-ebs: Waiting for AMI`. */
  message: string;
  done?: number | undefined;
  total?: number | undefined;
}

/** Handed by the activity wrapper to a provider: heartbeats and cancellation. */
export interface StepIO {
  /** Report progress; also keeps the heartbeat timeout from firing. */
  progress(p: StepProgress): void;
  /** Aborted when the activity is cancelled or times out: stop child processes. */
  signal: AbortSignal;
  /** 1-based attempt of this activity. */
  attempt: number;
}

/**
 * One cloud's implementation of the steps. The worker registers a provider's steps on the
 * task queue `<base>-<cloud>`; every method must be idempotent.
 */
export interface CloudProvider {
  readonly cloud: CloudName;
  kernelBuild(input: KernelBuildInput, io: StepIO): Promise<KernelBuildOutput>;
  imageBake(input: ImageBakeInput, io: StepIO): Promise<ImageBakeOutput>;
  versionPublish(input: VersionPublishInput, io: StepIO): Promise<VersionPublishOutput>;
  clusterProvision(input: ClusterProvisionInput, io: StepIO): Promise<ClusterProvisionOutput>;
  deploy(input: DeployInput, io: StepIO): Promise<DeployOutput>;
  soakCheck(input: SoakCheckInput, io: StepIO): Promise<SoakCheckOutput>;
  logHarvest(input: LogHarvestInput, io: StepIO): Promise<LogHarvestOutput>;
  /** Must succeed when the resources are already gone. */
  teardown(input: TeardownInput, io: StepIO): Promise<TeardownOutput>;
  /** One debug node without a cluster, for validateMain; a cloud without it cannot validate. */
  singleNode?: SingleNodeSteps | undefined;
}

/** What every step activity returns: the provider's output and the attempt that produced it. */
export interface StepResult<T> {
  output: T;
  attempt: number;
}
