import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Context } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUILD_FILES, BZIMAGE, localKernelBuild, objectProgress, planKernelBuild, type KernelBuildOptions } from '../../activities/providers/local/kernel-build';
import type { LocalDeps } from '../../activities/providers/local/deps';
import { FLAVORS, type Flavor, type StepIO, type StepProgress } from '../../src/domain/contract';
import { errorCmdline, flavorCmdline, flavorFragments } from '../../activities/providers/local/kernel-flavor';
import { isInfraError, isUserError } from '../../src/domain/errors';
import { DROPPED_OPTION, GONE_OPTION, countLines, fakeDeps, recordingIO, stepContext, tempDir, writeFakeKernelDir, writeFakeKernelTree } from './fake-kernel';

const FRAGMENTS = {
  'base/guest.config': 'CONFIG_FAKE_SERIAL=y\n',
  'flavors/common/debug.config': '# debug\nCONFIG_FAKE_DEBUG=y\n# CONFIG_FAKE_PANIC is not set\n',
  'flavors/kasan/kasan.config': 'CONFIG_FAKE_KASAN=y\n',
};
const SYMBOLS = ['FAKE_SERIAL', 'FAKE_DEBUG', 'FAKE_PANIC', 'FAKE_KASAN'];

describe('localKernelBuild on a fake kernel tree', () => {
  let tmp: ReturnType<typeof tempDir>;
  let deps: LocalDeps;
  let opts: KernelBuildOptions;
  let tree: string;

  beforeEach(() => {
    tmp = tempDir('kbuild');
    tree = join(tmp.dir, 'linux');
    writeFakeKernelTree(tree, SYMBOLS);
    const kernelDir = join(tmp.dir, 'kernel');
    writeFakeKernelDir(kernelDir, FRAGMENTS);
    deps = fakeDeps(tmp.dir, tree);
    opts = { kernelDir, jobs: 2 };
  });
  afterEach(() => tmp.remove());

  it('builds once, then answers the same inputs from the cache in seconds', async () => {
    const io = recordingIO();
    const first = await localKernelBuild({ ctx: stepContext('cycle-1') }, io, deps, opts);
    expect(first.cacheHit).toBe(false);
    expect(first.kernelRelease).toBe('6.1.0-fake');
    const buildDir = join(deps.cacheDir, 'kernel-build', `kasan-${first.digest.slice(0, 12)}`);
    expect(fileURLToPath(first.artifacts.kernel)).toBe(join(buildDir, BZIMAGE));
    expect(countLines(join(buildDir, 'fake-builds'))).toBe(1);
    // Three objects and a link: the count is saved as the next build's progress total.
    expect(readFileSync(join(deps.cacheDir, 'kernel-build', 'kasan.objects'), 'utf8').trim()).toBe('4');
    expect(io.reports.at(-1)).toMatchObject({ done: 4, total: 4 });

    const started = Date.now();
    const second = await localKernelBuild({ ctx: stepContext('cycle-2') }, recordingIO(), deps, opts);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(second).toMatchObject({ cacheHit: true, digest: first.digest, kernelRelease: first.kernelRelease, configDigest: first.configDigest });
    expect(countLines(join(buildDir, 'fake-builds'))).toBe(1);
    // The cached build's log, reproducer and config are filed under the new cycle too.
    for (const ref of [second.artifacts.log, second.artifacts.reproducer, second.artifacts.config]) {
      expect(ref).toContain('/cycle-2/kernel-build/');
      expect(existsSync(fileURLToPath(ref))).toBe(true);
    }
  });

  it('writes a reproducer with the exact commands before building', async () => {
    const out = await localKernelBuild({ ctx: stepContext('cycle-r') }, recordingIO(), deps, opts);
    const script = readFileSync(fileURLToPath(out.artifacts.reproducer), 'utf8');
    expect(script).toMatch(/^#!\/usr\/bin\/env bash\n/);
    expect(script).toContain(`SRC=\${SRC:-${tree}}`);
    expect(script).toContain('KCONFIG_ALLCONFIG="$OUT/rcdebug-fragments.config" allnoconfig');
    expect(script).toContain('olddefconfig');
    expect(script).toContain('verify-config.py');
    expect(script).toContain('CONFIG_FAKE_KASAN=y');
    expect(script).toMatch(/make -C "\$SRC" O="\$OUT" '?CC=[^\n]*-j"\$\(nproc\)"/);
    expect(readFileSync(fileURLToPath(out.artifacts.config), 'utf8')).toContain('CONFIG_FAKE_DEBUG=y');
  });

  it('fails before compiling with a UserError naming the dropped option and its unmet dependency', async () => {
    writeFakeKernelDir(opts.kernelDir ?? '', { 'flavors/kasan/zz-extra.config': `CONFIG_${DROPPED_OPTION}=y\nCONFIG_${GONE_OPTION}=y\n` });
    const err = await localKernelBuild({ ctx: stepContext('cycle-bad') }, recordingIO(), deps, opts).catch((e: unknown) => e);
    expect(isUserError(err)).toBe(true);
    const message = (err as Error).message;
    expect(message).toContain(`CONFIG_${DROPPED_OPTION}=y`);
    expect(message).toContain('depends on FAKE_MISSING_DEP (FAKE_MISSING_DEP=n)');
    expect(message).toContain(`CONFIG_${GONE_OPTION}=y`);
    expect(message).toContain('no longer exists in this kernel');
    expect(message).toMatch(/Remove each option from its fragment, or add the missing dependency/);
    const plan = await planKernelBuild('kasan', deps, opts);
    expect(countLines(join(plan.buildDir, 'fake-builds'))).toBe(0);
    expect(existsSync(join(plan.buildDir, BUILD_FILES.complete))).toBe(false);
    expect(existsSync(join(tmp.dir, 'artifacts', 'cycle-bad', 'kernel-build', 'build.log'))).toBe(true);
  });

  it('refuses a source tree that was configured in place with a UserError saying what to run', async () => {
    writeFileSync(join(tree, '.config'), 'CONFIG_FAKE_SERIAL=y\n');
    const err = await localKernelBuild({ ctx: stepContext('cycle-dirty') }, recordingIO(), deps, opts).catch((e: unknown) => e);
    expect(isUserError(err)).toBe(true);
    expect((err as { field?: string }).field).toBe('kernelSource');
    expect((err as { hint?: string }).hint).toContain(`make -C ${tree} mrproper`);
  });

  it('lets two cycles build the same digest at once without a second make', async () => {
    writeFakeKernelTree(tree, SYMBOLS, 0.5);
    const [a, b] = await Promise.all([
      localKernelBuild({ ctx: stepContext('cycle-a') }, recordingIO(), deps, opts),
      localKernelBuild({ ctx: stepContext('cycle-b') }, recordingIO(), deps, opts),
    ]);
    expect([a.cacheHit, b.cacheHit].sort()).toEqual([false, true]);
    const plan = await planKernelBuild('kasan', deps, opts);
    expect(countLines(join(plan.buildDir, 'fake-builds'))).toBe(1);
    expect(existsSync(`${plan.buildDir}.lock`)).toBe(false);
  });

  it('stops make when the activity is cancelled, and the next attempt finishes the build', async () => {
    writeFakeKernelTree(tree, SYMBOLS, 3);
    const env = new MockActivityEnvironment();
    const beats: StepProgress[] = [];
    env.on('heartbeat', (d: StepProgress) => beats.push(d));
    const running = env.run(async () => {
      const ctx = Context.current();
      const io: StepIO = { progress: (p) => ctx.heartbeat(p), signal: ctx.cancellationSignal, attempt: 1 };
      return localKernelBuild({ ctx: stepContext('cycle-c') }, io, deps, opts);
    });
    const plan = await planKernelBuild('kasan', deps, opts);
    for (let i = 0; i < 100 && countLines(join(plan.buildDir, 'fake-builds')) === 0; i++) await new Promise((r) => setTimeout(r, 100));
    env.cancel();
    const err = await running.catch((e: unknown) => e);
    expect(isInfraError(err) || (err as Error).name === 'CancelledFailure').toBe(true);
    expect(beats.some((b) => /configuring/.test(b.message))).toBe(true);
    expect(existsSync(`${plan.buildDir}.lock`)).toBe(false);
    expect(existsSync(join(plan.buildDir, BUILD_FILES.complete))).toBe(false);

    writeFakeKernelTree(tree, SYMBOLS, 0);
    const out = await localKernelBuild({ ctx: stepContext('cycle-c') }, recordingIO(), deps, opts);
    expect(out.cacheHit).toBe(false);
    expect(existsSync(join(plan.buildDir, BZIMAGE))).toBe(true);
    // The resumed build compiled only part of the kernel: its count is not kept as a total.
    expect(existsSync(join(deps.cacheDir, 'kernel-build', 'kasan.objects'))).toBe(false);
  });
});

describe('kernel build digest', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir('kdigest');
    writeFakeKernelTree(join(tmp.dir, 'linux'), SYMBOLS);
    writeFakeKernelDir(join(tmp.dir, 'kernel'), FRAGMENTS);
  });
  afterEach(() => tmp.remove());

  const plan = () => planKernelBuild('kasan', fakeDeps(tmp.dir, join(tmp.dir, 'linux')), { kernelDir: join(tmp.dir, 'kernel') });

  it('is stable while the inputs are', async () => {
    const [a, b] = [await plan(), await plan()];
    expect(a.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(b.digest).toBe(a.digest);
    expect(a.buildDir.endsWith(`kasan-${a.digest.slice(0, 12)}`)).toBe(true);
  });

  it.each([
    { name: 'a flavor fragment changes', file: 'kernel/flavors/kasan/kasan.config', text: 'CONFIG_FAKE_KASAN=y\nCONFIG_FAKE_PANIC=y\n' },
    { name: 'a base fragment changes', file: 'kernel/base/guest.config', text: '# CONFIG_FAKE_SERIAL is not set\n' },
    { name: 'a fragment is added', file: 'kernel/flavors/common/more.config', text: 'CONFIG_FAKE_PANIC=y\n' },
    { name: 'the source version changes', file: 'linux/Makefile', text: 'VERSION = 6\nPATCHLEVEL = 2\n' },
  ])('changes when $name', async ({ file, text }) => {
    const before = await plan();
    writeFileSync(join(tmp.dir, file), text);
    const after = await plan();
    expect(after.digest).not.toBe(before.digest);
    expect(after.buildDir).not.toBe(before.buildDir);
  });
});

describe('flavor folders', () => {
  it.each(['kasn', 'common'])('rejects the flavor %s with a UserError naming the field before any build', async (flavor) => {
    const err = await flavorFragments(flavor as Flavor).catch((e: unknown) => e);
    expect(isUserError(err)).toBe(true);
    expect((err as { field?: string }).field).toBe('flavor');
    expect((err as Error).message).toContain('has no config fragments');
  });

  it.each(FLAVORS)('gives %s its common and own fragments and boot arguments', async (flavor) => {
    const fragments = await flavorFragments(flavor);
    expect(fragments.map((f) => f.split('/kernel/')[1])).toEqual([
      'flavors/common/debug.config',
      'flavors/common/page-debug.config',
      'flavors/common/safety-nets.config',
      'flavors/common/slub-debug.config',
      'flavors/common/stack.config',
      'flavors/common/tracing.config',
      `flavors/${flavor}/${flavor}.config`,
    ]);
    const cmdline = await flavorCmdline(flavor);
    expect(cmdline).toEqual(expect.arrayContaining(['panic_on_warn=0', 'hung_task_panic=0', 'sysctl.kernel.panic_on_oops=0']));
    expect(cmdline.includes('kasan.fault=report')).toBe(flavor === 'kasan');
    expect(cmdline.some((w) => w.startsWith('#'))).toBe(false);
  });

  it.each(FLAVORS)('onKernelError "panic" turns the safety nets of %s on after its report words, so they win', async (flavor) => {
    expect(await errorCmdline(flavor, 'report', true)).toEqual(await flavorCmdline(flavor));
    const words = await errorCmdline(flavor, 'panic');
    const last = (key: string) => words.filter((w) => w.startsWith(`${key}=`)).at(-1);
    expect([last('hung_task_panic'), last('softlockup_panic'), last('sysctl.kernel.panic_on_oops'), last('oops')]).toEqual([
      'hung_task_panic=1', 'softlockup_panic=1', 'sysctl.kernel.panic_on_oops=1', 'oops=panic',
    ]);
    expect(last('kasan.fault')).toBe(flavor === 'kasan' ? 'kasan.fault=panic' : undefined);
    expect(last('panic_on_warn')).toBe('panic_on_warn=0');
    expect((await errorCmdline(flavor, 'panic', true)).at(-1)).toBe('panic_on_warn=1');
  });
});

describe('objectProgress', () => {
  it('counts compiled objects against the expected total and never claims 100% early', () => {
    const progress = objectProgress(2);
    const lines = ['make[1]: Entering directory', '  CC      init/main.o', '  CC [M]  drivers/foo.o', '  HOSTCC  scripts/basic/fixdep', '  LD      vmlinux.o', '  AR      lib/lib.a'];
    const reports = lines.map(progress).filter((p) => p !== undefined);
    expect(reports.map((p) => [p.done, p.total])).toEqual([[1, 2], [2, 3], [3, 4], [4, 5]]);
    expect(reports[0]?.message).toBe('compiled 1/~2 objects');
  });
});
