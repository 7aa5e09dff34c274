/**
 * The cloudCycle scenarios every cloud's cycle test runs through the real dev server against
 * its rehearsal (emulator or stand-in, recording stand-ins of the tools): the happy run, a
 * missing chart that parks the cycle at deploy until an abort tears it down, a cancel during
 * the soak that runs terraform destroy. The cloud supplies its provider, how it counts the
 * cycle's running VMs and its checks of what is its own.
 */
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { expect } from 'vitest';
import type { CloudName, CloudProvider, ClusterProvisionOutput, DeployOutput, ImageBakeOutput, KernelBuildOutput, VersionPublishOutput } from '../../src/domain/contract';
import { abortUpdate, stateQuery, type CloudCycleState, type RcCycleResult } from '../../src/domain/cycle-state';
import { eventually, startCycle, testClient, uniqueQueue, withWorkers } from './engine';
import { CHARTS, type StandinCall } from './rehearsal';

export const CYCLE_SOAK = { durationSeconds: 2, checkIntervalSeconds: 1, scanIntervalSeconds: 1 };
// Every stand-in run starts Node and a cloud SDK: a cycle takes one to two minutes on a busy 2-core machine.
export const CYCLE_TIMEOUT_MS = 360_000;

/** What a cloud's cycle test hands the scenarios. */
export interface CycleRig {
  cloud: CloudName;
  manifest(): string;
  provider(): CloudProvider;
  /** The calls the recording stand-ins logged. */
  calls(): StandinCall[];
  /** The VMs of the cycle `childId` still running. */
  running(childId: string): number | Promise<number>;
  /** The terraform workspace name of a cycle id. */
  safeName(childId: string): string;
  rc?: string;
}

export function childState(client: Client, id: string): Promise<CloudCycleState> {
  return client.workflow.getHandle(id).query(stateQuery);
}

export function stepOutput<T>(state: CloudCycleState, step: string): T {
  return state.steps.find((s) => s.name === step)?.output as T;
}

export function destroyedWorkspaces(rig: CycleRig): string[] {
  return rig.calls().filter((c) => c.tool === 'terraform' && c.argv[0] === 'workspace' && c.argv[1] === 'delete').map((c) => c.argv[2]!);
}

/** The input of a kasan cycle on the rig's cloud. */
export function cycleInput(rig: CycleRig, taskQueue: string, rc = rig.rc ?? 'v1.4.0-rc2', soak = CYCLE_SOAK) {
  return { rc, taskQueue, clouds: [rig.cloud], flavors: ['kasan' as const], manifest: rig.manifest(), soak };
}

/** The workers of the rig's cloud with its provider. */
export function rigWorkers(rig: CycleRig, taskQueue: string) {
  return { taskQueue, clouds: [rig.cloud], providers: { [rig.cloud]: rig.provider() } };
}

/** Runs a cycle to its end; the child's state is read while the workers still run (queries need one). */
export async function runCycle(rig: CycleRig, name: string): Promise<{ client: Client; childId: string; result: RcCycleResult; state: CloudCycleState }> {
  const client = await testClient();
  const taskQueue = uniqueQueue(`${rig.cloud}-${name}`);
  const childId = `${taskQueue}-cycle.${rig.cloud}-kasan`;
  const { result, state } = await withWorkers(rigWorkers(rig, taskQueue), async () => {
    const h = await startCycle(client, cycleInput(rig, taskQueue));
    const res = await h.result();
    return { result: res, state: await childState(client, childId) };
  });
  return { client, childId, result, state };
}

/** The happy run's checks every cloud shares: a finding, every step succeeded, two nodes, both releases, torn down; the step outputs for the cloud's own checks. */
export async function expectHappyEnd(rig: CycleRig, run: { childId: string; result: RcCycleResult; state: CloudCycleState }) {
  const { result, state } = run;
  expect(result.verdict, JSON.stringify(state.steps.map((s) => [s.name, s.status, s.error?.message]))).toBe('findings');
  expect(result.newFindings.map((f) => f.title)).toContain('KASAN: use-after-free Read in kbug_uaf_read');
  expect(state.steps.map((s) => `${s.name}:${s.status}`)).toEqual([
    'kernel-build:succeeded', 'image-bake:succeeded', 'version-publish:succeeded', 'cluster-provision:succeeded',
    'deploy:succeeded', 'soak:succeeded', 'log-harvest:succeeded', 'teardown:succeeded',
  ]);
  const outputs = {
    kernel: stepOutput<KernelBuildOutput>(state, 'kernel-build'),
    image: stepOutput<ImageBakeOutput>(state, 'image-bake'),
    published: stepOutput<VersionPublishOutput>(state, 'version-publish'),
    cluster: stepOutput<ClusterProvisionOutput>(state, 'cluster-provision'),
  };
  expect(outputs.cluster.nodes).toHaveLength(2);
  expect(stepOutput<DeployOutput>(state, 'deploy').releases).toEqual([
    `${outputs.cluster.details.cpCluster}/debug-cp/controlplane@v0.1.9`,
    `${outputs.cluster.details.workloadCluster}/riptides-system/agent@v0.1.17`,
  ]);
  expect(state.teardown).toBe('done');
  expect(destroyedWorkspaces(rig)).toContain(rig.safeName(run.childId));
  expect(await rig.running(run.childId)).toBe(0);
  return outputs;
}

/** A chart missing from the registry parks the cycle at deploy; abort tears the clusters down. */
export async function missingChartParksThenAbort(rig: CycleRig, opts: { rc?: string; runningWhileParked?: number } = {}): Promise<void> {
  const client = await testClient();
  const taskQueue = uniqueQueue(`${rig.cloud}-nochart`);
  const childId = `${taskQueue}-cycle.${rig.cloud}-kasan`;
  process.env.RCDEBUG_STANDIN_CHARTS = 'ghcr.io/riptideslabs/helm/controlplane:v0.1.9';
  try {
    const result = await withWorkers(rigWorkers(rig, taskQueue), async () => {
      const h = await startCycle(client, cycleInput(rig, taskQueue, opts.rc));
      const child = client.workflow.getHandle(childId);
      const parked = await eventually(async () => {
        const s = await child.query(stateQuery);
        return s.phase === 'awaiting-operator' ? s : undefined;
      }, 240_000, 'deploy to park');
      const deploy = parked.steps.find((s) => s.name === 'deploy');
      expect(deploy?.error?.type).toBe('UserError');
      expect(deploy?.error?.message).toContain('oci://ghcr.io/riptideslabs/helm/agent version v0.1.17 is not in the registry');
      if (opts.runningWhileParked !== undefined) expect(await rig.running(childId)).toBe(opts.runningWhileParked);
      await child.executeUpdate(abortUpdate, { args: [{ reason: 'chart not published' }] });
      return { verdict: (await h.result()).verdict, teardown: (await childState(client, childId)).teardown };
    });
    expect(result.verdict).toBe('aborted');
    expect(result.teardown).toBe('done');
    expect(destroyedWorkspaces(rig)).toContain(rig.safeName(childId));
    expect(await rig.running(childId)).toBe(0);
  } finally {
    process.env.RCDEBUG_STANDIN_CHARTS = CHARTS;
  }
}

/** Cancelling the cycle during the soak runs terraform destroy and leaves no VM running. */
export async function cancelDuringSoakDestroys(rig: CycleRig, opts: { rc?: string; runningDuringSoak: number }): Promise<void> {
  const client = await testClient();
  const taskQueue = uniqueQueue(`${rig.cloud}-cancel`);
  const childId = `${taskQueue}-cycle.${rig.cloud}-kasan`;
  const err = await withWorkers(rigWorkers(rig, taskQueue), async () => {
    const h = await startCycle(client, cycleInput(rig, taskQueue, opts.rc, { ...CYCLE_SOAK, durationSeconds: 600 }));
    await eventually(async () => (await childState(client, childId)).currentStep === 'soak', 240_000, 'the soak to start');
    expect(await rig.running(childId)).toBe(opts.runningDuringSoak);
    await h.cancel();
    return h.result().then(() => undefined, (e: unknown) => e);
  });
  expect(err).toBeInstanceOf(WorkflowFailedError);
  expect(destroyedWorkspaces(rig)).toContain(rig.safeName(childId));
  expect(await rig.running(childId)).toBe(0);
}
