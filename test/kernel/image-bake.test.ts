import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LocalDeps } from '../../activities/providers/local/deps';
import { localImageBake, planImage, type ImageBakeOptions } from '../../activities/providers/local/image-bake';
import { initramfsList } from '../../activities/providers/local/image-cpio';
import { BUILD_FILES, BZIMAGE } from '../../activities/providers/local/kernel-build';
import { DEFAULT_KERNEL_SOURCE, prepareKernelSource } from '../../activities/providers/local/kernel-source';
import { cacheDir } from '../../src/domain/paths';
import type { ImageBakeInput, KernelBuildOutput } from '../../src/domain/contract';
import { isUserError } from '../../src/domain/errors';
import { countLines, fakeDeps, recordingIO, stepContext, tempDir, writeFakeBuildDirMakefile } from './fake-kernel';

/**
 * A finished fake kernel build: bzImage, completion record, and a Makefile answering
 * modules_prepare / M= modules (a module's .c becomes its .ko) / usr/gen_init_cpio (compiled
 * from the real tree's source).
 */
function fakeKernel(root: string, genInitCpioC: string): KernelBuildOutput {
  const buildDir = join(root, 'cache', 'kernel-build', 'kasan-0123456789ab');
  mkdirSync(join(buildDir, 'arch', 'x86', 'boot'), { recursive: true });
  writeFileSync(join(buildDir, BZIMAGE), 'fake-bzImage');
  writeFileSync(join(buildDir, BUILD_FILES.complete), JSON.stringify({ digest: 'k'.repeat(64), kernelRelease: '6.1.0-fake' }));
  writeFakeBuildDirMakefile(buildDir, genInitCpioC);
  return {
    digest: 'k'.repeat(64),
    kernelRelease: '6.1.0-fake',
    configDigest: 'c'.repeat(64),
    cacheHit: false,
    artifacts: { kernel: pathToFileURL(join(buildDir, BZIMAGE)).href, log: 'file:///dev/null', reproducer: 'file:///dev/null', config: 'file:///dev/null' },
  };
}

function cpioList(gz: string, verbose = false): string[] {
  const cpio = execFileSync('gzip', ['-dc', gz], { maxBuffer: 1 << 26 });
  return execFileSync('cpio', ['-t', ...(verbose ? ['-v'] : []), '--quiet'], { input: cpio, maxBuffer: 1 << 24 }).toString().split('\n').filter(Boolean);
}

let srctree: string;
beforeAll(async () => {
  // The kernel's own gen_init_cpio source, from the real tree unpacked once into the cache.
  srctree = (await prepareKernelSource(DEFAULT_KERNEL_SOURCE, cacheDir())).root;
}, 300_000);

describe('localImageBake', () => {
  let tmp: ReturnType<typeof tempDir>;
  let deps: LocalDeps;
  let input: ImageBakeInput;
  let opts: ImageBakeOptions;
  let moduleDir: string;

  beforeEach(() => {
    tmp = tempDir('ibake');
    const genSrc = join(srctree, 'usr', 'gen_init_cpio.c');
    moduleDir = join(tmp.dir, 'mod');
    mkdirSync(moduleDir);
    writeFileSync(join(moduleDir, 'Makefile'), 'obj-m := kbug.o\n');
    writeFileSync(join(moduleDir, 'kbug.c'), '// fake module\n');
    const guest = join(tmp.dir, 'guest');
    mkdirSync(guest);
    writeFileSync(join(guest, 'init'), '#!/bin/busybox sh\necho hello\n', { mode: 0o755 });
    writeFileSync(join(guest, 'agent'), '#!/bin/sh\n', { mode: 0o755 });
    writeFileSync(join(guest, 'notes.txt'), 'data\n', { mode: 0o644 });
    deps = fakeDeps(tmp.dir, '/unused');
    input = { ctx: stepContext('cycle-1', { name: 'kbug', source: moduleDir, version: '1.0' }), kernel: fakeKernel(tmp.dir, genSrc) };
    opts = { guestDir: guest };
  });
  afterEach(() => tmp.remove());

  it('packs busybox, the module, the guest scripts and device nodes into a gzip newc initramfs', async () => {
    const out = await localImageBake(input, recordingIO(), deps, opts);
    expect(out.cacheHit).toBe(false);
    expect(out.imageId).toBe(fileURLToPath(out.artifacts.initramfs ?? ''));
    expect(out.artifacts.kernel).toBe(input.kernel.artifacts.kernel);
    expect(out.artifacts['module:kbug.ko']).toMatch(/^file:.*\/modules\/kbug\.ko$/);
    const names = cpioList(out.imageId);
    for (const name of ['init', 'bin/busybox', 'bin/sh', 'lib/modules/kbug.ko', 'rcdebug/agent', 'rcdebug/init', 'rcdebug/notes.txt', 'rcdebug/image.json', 'dev/console', 'dev/ttyS0', 'dev/ttyS1', 'proc', 'sys', 'tmp']) {
      expect(names).toContain(name);
    }
    const long = cpioList(out.imageId, true);
    const line = (name: string) => long.find((l) => l.endsWith(` ${name}`) || l.includes(` ${name} -> `)) ?? '';
    expect(line('init')).toMatch(/^-rwxr-xr-x\s+1 root\s+root/);
    expect(line('rcdebug/notes.txt')).toMatch(/^-rw-r--r--/);
    expect(line('dev/console')).toMatch(/^crw-------\s+1 root\s+root\s+5,\s+1 /);
    expect(line('dev/ttyS1')).toMatch(/^crw-rw----\s+1 root\s+root\s+4,\s+65 /);
    expect(line('bin/sh')).toMatch(/^lrwxrwxrwx.* bin\/sh -> \/bin\/busybox$/);
    // The module was built from a copy in the cache, never in its source directory.
    expect(countLines(join(moduleDir, 'kbug.ko'))).toBe(0);
  });

  it('answers the same inputs from the cache without rebuilding the module', async () => {
    const first = await localImageBake(input, recordingIO(), deps, opts);
    const kdir = join(tmp.dir, 'cache', 'kernel-build', 'kasan-0123456789ab');
    const second = await localImageBake({ ...input, ctx: { ...input.ctx, cycleId: 'cycle-2' } }, recordingIO(), deps, opts);
    expect(second).toMatchObject({ cacheHit: true, digest: first.digest, imageId: first.imageId });
    expect(countLines(join(kdir, 'fake-module-builds'))).toBe(1);
    expect(countLines(join(kdir, 'fake-prepares'))).toBe(1);
    expect(second.artifacts.log).toContain('/cycle-2/image-bake/');
  });

  it.each([
    { name: 'a guest file changes', change: () => writeFileSync(join(tmp.dir, 'guest', 'agent'), '#!/bin/sh\necho v2\n') },
    { name: 'a guest file is added', change: () => writeFileSync(join(tmp.dir, 'guest', 'workload'), 'x\n') },
    { name: 'the module source changes', change: () => writeFileSync(join(moduleDir, 'kbug.c'), '// v2\n') },
    { name: 'the kernel changes', change: () => (input.kernel = { ...input.kernel, digest: 'f'.repeat(64) }) },
  ])('gets a new digest when $name, and keeps it otherwise', async ({ change }) => {
    const a = await planImage(input, deps, opts);
    expect((await planImage(input, deps, opts)).digest).toBe(a.digest);
    // Build outputs in the module's folder are not sources: they leave the digest alone.
    writeFileSync(join(moduleDir, 'kbug.o'), 'obj');
    expect((await planImage(input, deps, opts)).digest).toBe(a.digest);
    change();
    const b = await planImage(input, deps, opts);
    expect(b.digest).not.toBe(a.digest);
    expect(b.imageDir).not.toBe(a.imageDir);
  });

  it.each([
    { name: 'a module source without a Makefile', edit: (i: ImageBakeInput) => ({ ...i, ctx: { ...i.ctx, module: { ...i.ctx.module, source: '/nonexistent' } } }), field: 'module.source' },
    { name: 'a module name that is not the built .ko', edit: (i: ImageBakeInput) => ({ ...i, ctx: { ...i.ctx, module: { ...i.ctx.module, name: 'other' } } }), field: 'module.name' },
    { name: 'a module name with blanks', edit: (i: ImageBakeInput) => ({ ...i, ctx: { ...i.ctx, module: { ...i.ctx.module, name: 'a b' } } }), field: 'module.name' },
  ])('rejects $name with a UserError naming the field', async ({ edit, field }) => {
    const err = await localImageBake(edit(input), recordingIO(), deps, opts).catch((e: unknown) => e);
    expect(isUserError(err)).toBe(true);
    expect((err as { field?: string }).field).toBe(field);
  });
});

describe('initramfsList', () => {
  it('adds parent directories once, owns everything by root, and refuses blanks', () => {
    const list = initramfsList([
      { kind: 'file', path: '/rcdebug/sub/agent', source: '/src/agent', mode: 0o755 },
      { kind: 'slink', path: '/bin/sh', target: '/bin/busybox' },
      { kind: 'nod', path: '/dev/console', mode: 0o600, type: 'c', major: 5, minor: 1 },
    ]);
    expect(list.split('\n').filter(Boolean)).toEqual([
      'dir /rcdebug 0755 0 0',
      'dir /rcdebug/sub 0755 0 0',
      'file /rcdebug/sub/agent /src/agent 0755 0 0',
      'dir /bin 0755 0 0',
      'slink /bin/sh /bin/busybox 0777 0 0',
      'dir /dev 0755 0 0',
      'nod /dev/console 0600 0 0 c 5 1',
    ]);
    expect(() => initramfsList([{ kind: 'file', path: '/a b', source: '/x', mode: 0o644 }])).toThrow(/no blanks/);
  });
});
