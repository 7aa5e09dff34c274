// The cloud contract for `local`, without building a kernel or booting qemu: the fake kernel
// tree of the kernel tests stands in for the source, and the cluster's "VMs" are plain
// processes holding their pid file, as qemu does, with console files where qemu writes them.
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { localArtifactStore } from '../../activities/artifacts/store';
import { consolePath } from '../../activities/providers/local/cluster-provision';
import type { LocalDeps } from '../../activities/providers/local/deps';
import { createLocalProvider } from '../../activities/providers/local/index';
import { localRegistry } from '../../activities/providers/local/registry';
import { isAlive, vmPaths } from '../../activities/providers/local/vm-state';
import type { ClusterProvisionOutput, StepContext } from '../../src/domain/contract';
import { recordingIO as testIO, stepContext, tempDir, writeFakeKernelTree } from '../kernel/fake-kernel';
import type { ContractFixture } from './fixture';
import { contractSuite } from './suite';

let tmp: ReturnType<typeof tempDir>;
let deps: LocalDeps;

const fixture: ContractFixture = {
  cloud: 'local',
  async start() {
    tmp = tempDir('contract-local');
    // Each object of the fake compile sleeps: a build runs long enough to be cancelled.
    writeFakeKernelTree(join(tmp.dir, 'linux'), [], 20);
    deps = {
      artifacts: localArtifactStore(join(tmp.dir, 'artifacts')),
      registry: localRegistry(join(tmp.dir, 'registry')),
      cacheDir: join(tmp.dir, 'cache'),
      stateDir: join(tmp.dir, 'state'),
      kernelSource: join(tmp.dir, 'linux'),
    };
  },
  async stop() {
    tmp?.remove();
  },
  provider: () => createLocalProvider(deps),
  context: (cycleId) => stepContext(cycleId),
  registry: () => deps.registry,
  async provision(ctx) {
    const nodes = ['node-a', 'node-b'].map((name) => {
      const paths = vmPaths(deps, ctx.cycleId, name);
      const consoleFile = consolePath(deps, ctx.cycleId, name);
      mkdirSync(paths.dir, { recursive: true });
      mkdirSync(dirname(consoleFile), { recursive: true });
      writeFileSync(consoleFile, '[    0.000000] Linux version 6.1.0-fake\nrcdebug-guest: ready 1.00\n');
      writeFileSync(paths.pidFile, '');
      // Like qemu, the process names its pid file on its command line (teardown checks it is ours).
      const vm = spawn('tail', ['-f', '/dev/null', paths.pidFile], { stdio: 'ignore' });
      writeFileSync(paths.pidFile, `${vm.pid}\n`);
      return { name, console: pathToFileURL(consoleFile).href, details: { pid: String(vm.pid) } };
    });
    return { clusterId: ctx.cycleId, nodes, details: {} };
  },
  async running(_ctx, cluster: ClusterProvisionOutput) {
    return cluster.nodes.some((n) => isAlive(Number(n.details?.pid)));
  },
  async panicOnConsole(ctx: StepContext, cluster, line) {
    appendFileSync(consolePath(deps, ctx.cycleId, cluster.nodes[0]!.name), `${line}\n`);
  },
  async userError(ctx) {
    return {
      call: { step: 'imageBake', input: { ctx: { ...ctx, module: { ...ctx.module, name: 'kbug; reboot' } }, kernel: FAKE_KERNEL } },
      field: 'module.name',
    };
  },
  async infraError(ctx) {
    // A node whose VM is gone with a clean console: the worker lost it, the kernel did not.
    const cluster = await fixture.provision(ctx);
    await createLocalProvider(deps).teardown({ ctx }, testIO());
    return {
      call: { step: 'soakCheck', input: { ctx, cluster: { ...cluster, nodes: cluster.nodes.slice(0, 1) }, tick: 1, scan: false, elapsedSeconds: 15 } },
      message: /node-a .*stopped without a kernel panic/,
    };
  },
  async longRunning(ctx) {
    return { call: { step: 'kernelBuild', input: { ctx } }, child: 'make', restore() {} };
  },
};

/** A kernel-build output of the local cloud (image-bake refuses a bad module name before reading it). */
const FAKE_KERNEL = {
  digest: 'f'.repeat(64),
  kernelRelease: '6.1.0-fake',
  configDigest: 'c'.repeat(64),
  cacheHit: false,
  artifacts: { kernel: 'file:///nonexistent/arch/x86/boot/bzImage', log: 'file:///l', reproducer: 'file:///r', config: 'file:///c' },
};

contractSuite(fixture);
