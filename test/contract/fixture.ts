/**
 * What a cloud hands the contract suite (./suite.ts): its provider made by its real factory
 * with test dependencies, and the few things only that cloud knows how to make happen (a
 * cluster that exists, a panic on a node's console, a real input error, an infrastructure
 * failure, a long tool run). A new cloud implements this interface in `<cloud>.test.ts` and
 * calls `contractSuite` with it.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StepActivities } from '../../activities/index';
import type { CloudName, CloudProvider, ClusterProvisionOutput, StepContext } from '../../src/domain/contract';
import type { VersionRegistry } from '../../src/domain/registry/scheme';

type StepInputs = { [K in keyof StepActivities]: Parameters<StepActivities[K]>[0] };

/** One call of a step activity, with the input its name takes. */
export type StepCall = { [K in keyof StepInputs]: { step: K; input: StepInputs[K] } }[keyof StepInputs];

export interface ContractFixture {
  readonly cloud: CloudName;
  /** Starts what the cloud needs (an emulator, temporary folders); runs once before the cases. */
  start(): Promise<void>;
  /** Stops it and removes what `start` made. */
  stop(): Promise<void>;
  /** The cloud's provider from its real factory, wired to the test dependencies. */
  provider(): CloudProvider;
  /** The step context of a fresh cycle of this cloud (`cycleId` is unique per case). */
  context(cycleId: string): StepContext;
  /** The registry the provider's version-publish writes to, to read the records back. */
  registry(): VersionRegistry;
  /** A cluster of at least one node whose resources really exist, as cluster-provision reports it. */
  provision(ctx: StepContext): Promise<ClusterProvisionOutput>;
  /** True while anything of the cluster still runs (a process, an instance). */
  running(ctx: StepContext, cluster: ClusterProvisionOutput): Promise<boolean>;
  /** Makes `line` the next thing a node of the cluster prints on its console, as a dying kernel would. */
  panicOnConsole(ctx: StepContext, cluster: ClusterProvisionOutput, line: string): Promise<void>;
  /** A step call with an input error this cloud refuses, and the field its error must name. */
  userError(ctx: StepContext): Promise<{ call: StepCall; field: string }>;
  /** A step call that fails on the cloud's infrastructure (a lost VM, a throttled API). */
  infraError(ctx: StepContext): Promise<{ call: StepCall; message: RegExp }>;
  /**
   * A step call that runs a child process until it is stopped, and the name of that child's
   * executable; `restore` undoes what the fixture changed for it.
   */
  longRunning(ctx: StepContext): Promise<{ call: StepCall; child: string; restore(): void }>;
}

/**
 * `longRunning` of a cloud whose kernel build runs packer: a packer (written into `dir`) that
 * never finishes, so the kernel build waits on it until the step is cancelled; `restore` puts
 * RCDEBUG_PACKER back to `packerAfter`.
 */
export function packerThatNeverFinishes(dir: string, ctx: StepContext, packerAfter: string | undefined): { call: StepCall; child: string; restore(): void } {
  const packer = join(dir, 'packer-forever');
  writeFileSync(packer, '#!/bin/sh\nexec sleep 600\n');
  chmodSync(packer, 0o755);
  process.env.RCDEBUG_PACKER = packer;
  return {
    call: { step: 'kernelBuild', input: { ctx } },
    child: 'sleep',
    restore: () => {
      if (packerAfter === undefined) delete process.env.RCDEBUG_PACKER;
      else process.env.RCDEBUG_PACKER = packerAfter;
    },
  };
}
