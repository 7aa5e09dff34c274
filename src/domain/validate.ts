/**
 * validateMain: the module's own tests on the debug kernel, against one commit of its
 * repository. For each cloud and flavor asked for: the cached debug kernel and image, ONE
 * debug node (no cluster), the module loaded there (its KUnit suites run at load and print
 * KTAP), an optional test command run in the guest, and the kernel findings raised meanwhile.
 *
 * Pure types, constants and the state query only: workflow code imports this module.
 */
import { defineQuery } from '@temporalio/workflow';
import type { ArtifactRef, CloudName, Flavor, ProfileName, ProfileOverride, FindingSummary, ImageBakeOutput, KernelBuildOutput, ModuleUnderTest, NodeInfo, StepContext, StepIO, TeardownOutput } from './contract';

/** Workflow type of the validation (what the UI, the CLI and schedules start). */
export const VALIDATE_WORKFLOW = 'validateMain';

/** The input of `validateMain`, as the UI, `rcdebug validate` and a schedule give it. */
export interface ValidateInput {
  /** Git URL or local path of the module's repository (a directory inside a repository works too). */
  repo: string;
  /** Branch, tag or commit to check out; the commit it resolved to is recorded. */
  ref: string;
  clouds: CloudName[];
  flavors: Flavor[];
  /** KUnit suites the module must run; one absent from the node's KTAP is a failed test. Empty: the suites that ran. */
  kunitSuites?: string[] | undefined;
  /** A shell command run in the guest once the module is loaded; its exit status is one test case. */
  testCommand?: string | undefined;
  /** Bound on the KUnit run plus the test command, in seconds; past it the test fails as timed out. */
  testTimeoutSeconds: number;
  /** Load parameters of the module (`bug=none`). */
  moduleParams?: string | undefined;
  /** Known-issues baseline: a finding in it is known, not new. */
  baseline?: string | undefined;
  taskQueue: string;
  /** Per-profile overrides of timeouts and retries (slow clouds, tests). */
  profiles?: Partial<Record<ProfileName, ProfileOverride>> | undefined;
}

/** The module as checked out: the commit is what the report and the reproducer name. */
export interface ModuleCheckout {
  repo: string;
  ref: string;
  /** Full commit hash the ref resolved to. */
  commit: string;
  /** The module to build: source is the checked-out module directory on the worker. */
  module: ModuleUnderTest;
}

/** The single-node steps' shared input. */
export interface NodeBootInput { ctx: StepContext; kernel: KernelBuildOutput; image: ImageBakeOutput }

export interface NodeBootOutput {
  node: NodeInfo;
}

export interface NodeTestInput {
  ctx: StepContext;
  kernel: KernelBuildOutput;
  node: NodeBootOutput;
  moduleParams?: string | undefined;
  testCommand?: string | undefined;
  timeoutSeconds: number;
}

/** What ran on the node: raw, turned into test results by the domain (KTAP → JUnit). */
export interface NodeTestOutput {
  /** The KTAP the kernel printed for the module's suites, as read from the node. */
  ktap: string;
  /** The test command's outcome, when there was one. */
  command?: { exitCode: number | null; timedOut: boolean; output: string } | undefined;
  /** The node's kernel log over the test, for the findings engine. */
  console: ArtifactRef;
  /** The panic line when the node died during the tests. */
  panic?: string | undefined;
  /** Why the module did not load (insmod's words), when it did not. */
  loadError?: string | undefined;
  /** The tests hit the timeout before they ended (the KTAP may be cut there). */
  timedOut?: boolean | undefined;
  /** Byte offset in the console where the tests began: findings are read from there on. */
  consoleOffset?: number | undefined;
}

/** What the report of one run is made of: the test's raw output and where it ran. */
export interface NodeReportInput {
  ctx: StepContext;
  checkout: ModuleCheckout;
  kernel: KernelBuildOutput;
  image: ImageBakeOutput;
  node: NodeBootOutput;
  test: NodeTestOutput;
  kunitSuites?: string[] | undefined;
  testCommand?: string | undefined;
  moduleParams?: string | undefined;
  timeoutSeconds: number;
}

export interface NodeTeardownInput { ctx: StepContext; node?: NodeBootOutput | undefined }

/**
 * What a cloud offers validateMain: one debug node booted from the cycle's image, the tests
 * run on it, and its removal. Each must be idempotent; teardown must succeed when the node is
 * already gone.
 */
export interface SingleNodeSteps {
  nodeBoot(input: NodeBootInput, io: StepIO): Promise<NodeBootOutput>;
  nodeTest(input: NodeTestInput, io: StepIO): Promise<NodeTestOutput>;
  nodeTeardown(input: NodeTeardownInput, io: StepIO): Promise<TeardownOutput>;
  /**
   * The run's report: KTAP and the command's outcome as test cases, the console through the
   * findings engine, the JUnit into the cloud's artifact store. Clouds hand their artifact
   * store and reproducer commands to the shared `validateReport` (activities/steps).
   */
  nodeReport(input: NodeReportInput, io: StepIO): Promise<ValidateRunResult>;
}

/** One test case's outcome, from KTAP or the test command. */
export type TestStatus = 'passed' | 'failed' | 'skipped' | 'not-run';

export interface TestCaseResult {
  suite: string;
  name: string;
  status: TestStatus;
  /** Why it failed, was skipped or did not run (KTAP diagnostics, timeout, panic). */
  message?: string | undefined;
}

/** The report of one cloud × flavor. */
export interface ValidateRunResult {
  cloud: CloudName;
  flavor: Flavor;
  /** The kernel's input digest: which debug kernel the tests ran on. */
  kernelDigest: string;
  verdict: 'passed' | 'failed' | 'error';
  tests: TestCaseResult[];
  findings: FindingSummary[];
  /** JUnit XML of the tests with the findings attached. */
  junit: ArtifactRef;
  /** How to reproduce on one local node (or the cloud's own words). */
  reproducer: string;
  error?: string | undefined;
}

/** The result of `validateMain`. */
export interface ValidateResult {
  checkout: ModuleCheckout;
  runs: ValidateRunResult[];
  verdict: 'passed' | 'failed' | 'error';
}

/** What validateMain shows while it runs (query `validateState`, and its memo). */
export interface ValidateState {
  repo: string;
  ref: string;
  checkout?: ModuleCheckout | undefined;
  verdict: ValidateResult['verdict'] | 'running';
  runs: Array<{ key: string; step: string; verdict?: ValidateRunResult['verdict'] | undefined }>;
}

/** validateMain's state query. */
export const validateStateQuery = defineQuery<ValidateState>('validateState');
