/**
 * verify-config.py and the configure step on the real kernel tree (Debian's linux-source-6.1,
 * unpacked once into the cache): allnoconfig + fragments + olddefconfig take seconds, no compile.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILD_FILES, configureKernel, localKernelBuild, planKernelBuild } from '../../activities/providers/local/kernel-build';
import { KERNEL_DIR } from '../../activities/providers/local/kernel-flavor';
import { DEFAULT_KERNEL_SOURCE, prepareKernelSource } from '../../activities/providers/local/kernel-source';
import { VERIFY_SCRIPT, type VerifyReport } from '../../activities/providers/local/kernel-verify';
import type { Flavor } from '../../src/domain/contract';
import { isUserError } from '../../src/domain/errors';
import { cacheDir } from '../../src/domain/paths';
import { fakeDeps, recordingIO, stepContext, tempDir } from './fake-kernel';

const SLOW = 300_000;
let tmp: ReturnType<typeof tempDir>;
let srctree: string;

beforeAll(async () => {
  tmp = tempDir('kverify');
  // The real tree, unpacked once into the shared cache (a missing tarball fails here).
  srctree = (await prepareKernelSource(DEFAULT_KERNEL_SOURCE, cacheDir())).root;
}, SLOW);
afterAll(() => tmp.remove());

/** A copy of the checkout's kernel/ folder with extra fragments and edits. */
function kernelDirWith(name: string, extra: Record<string, string>, edit?: (rel: string, text: string) => string): string {
  const dir = join(tmp.dir, name, 'kernel');
  cpSync(KERNEL_DIR, dir, { recursive: true, filter: (src) => !src.includes(`${KERNEL_DIR}/examples`) && !src.includes(`${KERNEL_DIR}/guest`) });
  if (edit) {
    for (const rel of ['flavors/common/debug.config']) writeFileSync(join(dir, rel), edit(rel, readFileSync(join(dir, rel), 'utf8')));
  }
  for (const [rel, text] of Object.entries(extra)) writeFileSync(join(dir, rel), text);
  return dir;
}

async function configure(flavor: Flavor, name: string, kernelDir = KERNEL_DIR): Promise<VerifyReport> {
  const deps = fakeDeps(join(tmp.dir, name), srctree);
  const plan = await planKernelBuild(flavor, deps, { kernelDir });
  return configureKernel(plan, undefined, join(plan.buildDir, BUILD_FILES.log));
}

describe('the flavors on linux-source-6.1', () => {
  it.each(['kasan', 'kcsan'] as const)('every option of the %s flavor survives olddefconfig', async (flavor) => {
    const report = await configure(flavor, `ok-${flavor}`);
    expect(report.dropped).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.requested).toBeGreaterThan(40);
    expect(report.kconfigFiles).toBeGreaterThan(1000);
  }, SLOW);
});

describe('dropped options on linux-source-6.1', () => {
  it('fails the kasan build before compiling when a fragment asks for KCSAN, a removed option, and turns off a selected one', async () => {
    const kernelDir = kernelDirWith('bad', {
      'flavors/kasan/zz-extra.config': 'CONFIG_KCSAN=y\nCONFIG_DEBUG_KMEMLEAK_EARLY_LOG_SIZE=16000\n# CONFIG_STACKTRACE is not set\n',
    });
    const deps = fakeDeps(join(tmp.dir, 'bad'), srctree);
    const err = await localKernelBuild({ ctx: stepContext('cycle-bad') }, recordingIO(), deps, { kernelDir }).catch((e: unknown) => e);
    expect(isUserError(err)).toBe(true);
    const message = (err as Error).message;
    expect(message).toMatch(/3 requested kernel option\(s\) did not survive olddefconfig/);
    expect(message).toMatch(/CONFIG_KCSAN=y \(.*zz-extra\.config:1\): now not set: depends on !KASAN \(KASAN=y\)/);
    expect(message).toMatch(/CONFIG_DEBUG_KMEMLEAK_EARLY_LOG_SIZE=16000 .*: now not set: no longer exists in this kernel/);
    expect(message).toMatch(/# CONFIG_STACKTRACE is not set .*: now =y: selected by .*KFENCE \(KFENCE=y/);
    const plan = await planKernelBuild('kasan', deps, { kernelDir });
    const log = readFileSync(join(plan.buildDir, BUILD_FILES.log), 'utf8');
    expect(log).toContain('olddefconfig');
    expect(log).not.toMatch(/^\s+CC\s/m);
    expect(existsSync(join(plan.buildDir, 'vmlinux'))).toBe(false);
  }, SLOW);

  it('explains every option that DEBUG_KERNEL gates when the fragment forgets it', async () => {
    const kernelDir = kernelDirWith('nodebug', {}, (_rel, text) => text.replace(/^CONFIG_DEBUG_KERNEL=y\n/m, ''));
    const err = await configure('kasan', 'nodebug', kernelDir).catch((e: unknown) => e);
    expect(isUserError(err)).toBe(true);
    const message = (err as Error).message;
    for (const option of ['PROVE_LOCKING', 'DEBUG_KMEMLEAK', 'DEBUG_ATOMIC_SLEEP', 'SOFTLOCKUP_DETECTOR', 'DETECT_HUNG_TASK']) {
      expect(message).toMatch(new RegExp(`CONFIG_${option}=y .*: now not set: depends on DEBUG_KERNEL \\(DEBUG_KERNEL=n\\)`));
    }
    expect(message).toMatch(/CONFIG_DEBUG_INFO_DWARF5=y .*: its choice depends on DEBUG_KERNEL \(DEBUG_KERNEL=n\)/);
    // An option whose dependency was itself dropped names that dependency.
    expect(message).toMatch(/CONFIG_DEFAULT_HUNG_TASK_TIMEOUT=120 .*: depends on DETECT_HUNG_TASK \(DETECT_HUNG_TASK=n\)/);
  }, SLOW);
});

describe('verify-config.py as both clouds run it', () => {
  const run = async (args: string[]) =>
    promisify(execFile)('python3', [VERIFY_SCRIPT, ...args]).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );

  it('prints a machine-readable report with the unmet expression and its symbols, exit 1', async () => {
    const config = join(tmp.dir, 'kasan.config');
    writeFileSync(config, 'CONFIG_KASAN=y\nCONFIG_DEBUG_KERNEL=y\nCONFIG_HAVE_ARCH_KCSAN=y\n');
    const fragment = join(tmp.dir, 'want.config');
    writeFileSync(fragment, '# comment\nCONFIG_KASAN=y\nCONFIG_KCSAN=y\nCONFIG_RCDEBUG_NO_SUCH_OPTION=y\n');
    const { code, stdout } = await run(['--config', config, '--srctree', srctree, fragment]);
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as VerifyReport;
    expect(report.requested).toBe(3);
    const kcsan = report.dropped.find((d) => d.option === 'CONFIG_KCSAN');
    expect(kcsan).toMatchObject({ requested: 'y', actual: null, kind: 'unmet-dependency', fragment: `${fragment}:3` });
    expect(kcsan?.unmet).toContainEqual({ kind: 'depends on', expr: '!KASAN', symbols: { KASAN: 'y' }, where: 'lib/Kconfig.kcsan:16' });
    expect(report.dropped.find((d) => d.option === 'CONFIG_RCDEBUG_NO_SUCH_OPTION')).toMatchObject({ kind: 'missing', reason: 'no longer exists in this kernel (no Kconfig defines it)' });
  }, SLOW);

  it.each([
    { name: 'a fragment line that is not a config line', fragment: 'CONFIG_KASAN=y\nKASAN=y\n', error: /want\.config:2: not a config line: 'KASAN=y'/ },
    { name: 'a missing .config', fragment: 'CONFIG_KASAN=y\n', config: '/nonexistent/.config', error: /cannot read the \.config \/nonexistent\/\.config/ },
  ])('exits 2 on $name, naming it', async ({ fragment, config, error }) => {
    const file = join(tmp.dir, 'want.config');
    writeFileSync(file, fragment);
    const cfg = join(tmp.dir, 'empty.config');
    writeFileSync(cfg, '');
    const { code, stderr } = await run(['--config', config ?? cfg, '--srctree', srctree, file]);
    expect(code).toBe(2);
    expect(stderr).toMatch(error);
  });
});
