import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localClusterProvision } from '../../activities/providers/local/cluster-provision';
import type { LocalDeps } from '../../activities/providers/local/deps';
import { localDeploy } from '../../activities/providers/local/deploy';
import { guestCommand } from '../../activities/providers/local/guest-channel';
import { localLogHarvest } from '../../activities/providers/local/log-harvest';
import { localSoakCheck } from '../../activities/providers/local/soak-check';
import { localTeardown, stopProcess } from '../../activities/providers/local/teardown';
import { cycleStateDir, isAlive, qemuProcessesWith, vmPaths } from '../../activities/providers/local/vm-state';
import type { ClusterProvisionOutput, ImageBakeOutput, KernelBuildOutput, StepContext } from '../../src/domain/contract';
import { isInfraError } from '../../src/domain/errors';
import { kasanImage, testContext, testDeps, testIO, writeManifest } from './support/local-image';

// Real qemu VMs booting the real kasan kernel of the example module: the runtime of the local
// cloud step by step, without Temporal in between. The tests that wait on guests give the
// guests' bounds room to stretch (guest-bound.ts) when another file's VMs share the cores.

let env: ReturnType<typeof testDeps>;
let deps: LocalDeps;
let ctx: StepContext;
let built: { kernel: KernelBuildOutput; image: ImageBakeOutput };

beforeAll(async () => {
  env = testDeps();
  deps = env.deps;
  const manifest = await writeManifest(env.dir, {
    memoryMiB: 512,
    nodes: [
      { name: 'node-uaf', modules: [{ name: 'kbug', params: { bug: 'uaf,leak' } }], workload: { network: true, moduleTrigger: '/proc/kbug', intervalSeconds: 10 } },
      { name: 'node-clean', modules: [{ name: 'kbug', params: { bug: 'none' } }], workload: { network: true } },
    ],
  });
  ctx = testContext(`vmtest-${process.pid}`, manifest);
  built = await kasanImage(deps, ctx);
}, 3_600_000);

afterAll(async () => {
  if (deps) await localTeardown({ ctx }, testIO(), deps);
  // Whatever a failed test left behind (other cycle ids of this file included).
  if (env) for (const pid of qemuProcessesWith(`${env.dir}/`)) await stopProcess(pid);
  env?.cleanup();
});

const errorOf = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);

describe('local runtime on real VMs', () => {
  let cluster: ClusterProvisionOutput;

  it('provisions one VM per node, each with a console log and an answering agent', async () => {
    const started = Date.now();
    cluster = await localClusterProvision({ ctx, ...built }, testIO(), deps);
    console.log(`provision of 2 nodes: ${((Date.now() - started) / 1000).toFixed(1)} s (${cluster.details.accel}: ${cluster.details.accelReason})`);
    expect(cluster.nodes.map((n) => n.name)).toEqual(['node-uaf', 'node-clean']);
    for (const n of cluster.nodes) {
      expect(isAlive(Number(n.details?.pid))).toBe(true);
      expect(readFileSync(new URL(n.console), 'utf8')).toContain('rcdebug-guest: ready');
      expect(Number(await guestCommand(vmPaths(deps, ctx.cycleId, n.name).socket, 'ping', { timeoutMs: 30_000 }))).toBeGreaterThan(0);
    }
    // The KVM/TCG decision is kept with its reason for the next provisions.
    const probe = JSON.parse(readFileSync(join(deps.stateDir, 'kvm-probe.json'), 'utf8')) as { accel: string; reason: string };
    expect(probe.accel).toBe(cluster.details.accel);
    expect(probe.reason).toBe(cluster.details.accelReason);
    expect(cluster.details.append).toContain('console=ttyS0 panic=-1');
    expect(cluster.details.append).toContain('kasan.fault=report');
  }, 1_200_000);

  it('provisioning again reuses the running VMs (idempotent)', async () => {
    const again = await localClusterProvision({ ctx, ...built }, testIO(), deps);
    expect(again.nodes.map((n) => n.details?.pid)).toEqual(cluster.nodes.map((n) => n.details?.pid));
    expect(again.nodes.every((n) => n.details?.reused === 'true')).toBe(true);
  }, 120_000);

  it('deploys the module with its parameters and the workload; a second deploy converges', async () => {
    const out = await localDeploy({ ctx, cluster }, testIO(), deps);
    expect(out.releases).toEqual(['node-uaf: kbug bug=uaf,leak', 'node-clean: kbug bug=none']);
    const again = await localDeploy({ ctx, cluster }, testIO(), deps);
    expect(again.releases).toEqual(out.releases);
    const socket = vmPaths(deps, ctx.cycleId, 'node-uaf').socket;
    expect(await guestCommand(socket, 'workload status', { timeoutMs: 30_000 })).toMatch(/^running=[1-9]/);
  }, 600_000);

  it('a soak check with a kmemleak double scan: healthy nodes, the leak on the console', async () => {
    const started = Date.now();
    const out = await localSoakCheck({ ctx, cluster, tick: 1, scan: true, elapsedSeconds: 30 }, testIO(), deps);
    console.log(`soak check with double scan: ${((Date.now() - started) / 1000).toFixed(1)} s; ${out.nodes.map((n) => `${n.name}: ${n.detail}`).join(' | ')}`);
    expect(out.panicked).toBe(false);
    expect(out.nodes.map((n) => [n.name, n.healthy])).toEqual([['node-uaf', true], ['node-clean', true]]);
    expect(out.nodes[0]?.detail).toMatch(/kmemleak: leaks=[1-9]/);
    expect(out.nodes[1]?.detail).toMatch(/kmemleak: leaks=0/);
  }, 1_200_000);

  it('harvests the consoles into findings on the right node only', async () => {
    const out = await localLogHarvest({ ctx, cluster, ...built }, testIO(), deps);
    const nodesOf = (title: RegExp) => out.findings.filter((f) => title.test(f.title)).map((f) => f.nodes);
    expect(nodesOf(/^KASAN: use-after-free Read in kbug_uaf_read$/)).toEqual([['node-uaf']]);
    // The title names the first frame that is not an allocator, whatever the parser's rules pick.
    expect(nodesOf(/^memory leak in kbug_\w+$/)).toEqual([['node-uaf']]);
    expect(out.nodes).toEqual({ 'node-uaf': 'findings', 'node-clean': 'clean' });
    expect(out.verdict).toBe('findings');
    const md = readFileSync(new URL(out.reports.markdown), 'utf8');
    expect(md).toContain('qemu-system-x86_64');
    expect(md).toContain('rcdebug.shell');
    expect(readFileSync(new URL(out.reports.junit), 'utf8')).toContain('<testsuite');
  }, 120_000);

  it('a kernel panic is a finding of the soak check, not an error', async () => {
    const socket = vmPaths(deps, ctx.cycleId, 'node-clean').socket;
    await guestCommand(socket, 'panic', { timeoutMs: 30_000 });
    const pid = Number(cluster.nodes[1]?.details?.pid);
    const until = Date.now() + 120_000;
    while (isAlive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 500));
    expect(isAlive(pid)).toBe(false);
    const out = await localSoakCheck({ ctx, cluster, tick: 2, scan: false, elapsedSeconds: 60 }, testIO(), deps);
    expect(out.panicked).toBe(true);
    expect(out.nodes[1]).toMatchObject({ name: 'node-clean', panicked: true, healthy: false });
    expect(out.nodes[1]?.detail).toContain('Kernel panic - not syncing');
    expect(out.nodes[0]).toMatchObject({ name: 'node-uaf', panicked: false, healthy: true });
  }, 300_000);

  it('a VM gone without a panic is an InfraError', async () => {
    const pid = Number(cluster.nodes[0]?.details?.pid);
    process.kill(pid, 'SIGKILL');
    while (isAlive(pid)) await new Promise((r) => setTimeout(r, 100));
    const only = { ...cluster, nodes: cluster.nodes.slice(0, 1) };
    const err = await errorOf(localSoakCheck({ ctx, cluster: only, tick: 3, scan: false, elapsedSeconds: 90 }, testIO(), deps));
    expect(isInfraError(err)).toBe(true);
    expect((err as Error).message).toMatch(/node-uaf .*stopped without a kernel panic/);
  }, 60_000);

  it('teardown leaves no qemu of the cycle and succeeds again when all is gone', async () => {
    // This file's VMs are dead by now; a cycle of one node (one more guest boot, not two) has
    // one running to stop.
    mkdirSync(join(env.dir, 'one'), { recursive: true });
    const one = { ...ctx, cycleId: `${ctx.cycleId}-td`, manifest: await writeManifest(join(env.dir, 'one'), { memoryMiB: 512, nodes: [{ name: 'node-clean', modules: [{ name: 'kbug', params: { bug: 'none' } }], workload: { network: true } }] }) };
    const running = await localClusterProvision({ ctx: one, ...built }, testIO(), deps);
    expect(qemuProcessesWith(`${cycleStateDir(deps, one.cycleId)}/`).length).toBe(1);
    const out = await localTeardown({ ctx: one, cluster: running }, testIO(), deps);
    expect(out.removed).toEqual(['vm:node-clean']);
    expect(qemuProcessesWith(`${cycleStateDir(deps, one.cycleId)}/`)).toEqual([]);
    expect(await localTeardown({ ctx: one, cluster: running }, testIO(), deps)).toEqual({ removed: [] });
  }, 1_200_000);
});

describe('local runtime failures', () => {
  it('a guest that never reaches its agent is an InfraError, and no VM is left', async () => {
    const failing = { ...ctx, cycleId: `${ctx.cycleId}-noboot` };
    process.env.RCDEBUG_BOOT_TIMEOUT_S = '3';
    try {
      const err = await errorOf(localClusterProvision({ ctx: failing, ...built }, testIO(), deps));
      expect(isInfraError(err)).toBe(true);
      expect((err as Error).message).toMatch(/never booted: it did not reach its agent within 3 s/);
    } finally {
      delete process.env.RCDEBUG_BOOT_TIMEOUT_S;
    }
    expect(qemuProcessesWith(`${cycleStateDir(deps, failing.cycleId)}/`)).toEqual([]);
  }, 120_000);

  it('a provision cancelled while the guests boot stops its VMs', async () => {
    const cancelled = { ...ctx, cycleId: `${ctx.cycleId}-cancel` };
    const ac = new AbortController();
    const io = testIO(ac.signal);
    const run = errorOf(localClusterProvision({ ctx: cancelled, ...built }, io, deps));
    const until = Date.now() + 60_000;
    while (qemuProcessesWith(`${cycleStateDir(deps, cancelled.cycleId)}/`).length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    ac.abort();
    expect(await run).toBeDefined();
    expect(qemuProcessesWith(`${cycleStateDir(deps, cancelled.cycleId)}/`)).toEqual([]);
  }, 120_000);
});
