import { existsSync } from 'node:fs';
import { chmod, cp, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ImageBakeInput, ImageBakeOutput, StepIO } from '../../../src/domain/contract';
import { InfraError, UserError } from '../../../src/domain/errors';
import { runTool } from '../../exec/run-tool';
import { resolveInputPath } from '../../../src/domain/paths';
import type { LocalDeps } from './deps';
import { BZIMAGE, completedBuild, compilerMakeVars } from './kernel-build';
import { withCacheLock } from './kernel-cache-lock';
import { digestOf, shortDigest } from './kernel-digest';
import { KERNEL_DIR } from './kernel-flavor';
import { whichTool } from './kernel-which';
import { BASE_DIRS, DEVICE_NODES, initramfsList, type CpioEntry } from './image-cpio';

/** Bump when the image recipe (layout, packing) changes: every image is baked again. */
export const IMAGE_RECIPE_VERSION = 'rcdebug-image-bake/1';

/** Where the guest scripts live: `init` becomes `/init`, every file also goes to `/rcdebug/`. */
export const GUEST_DIR = join(KERNEL_DIR, 'guest');

/** Where module files go in the guest. */
export const GUEST_MODULE_DIR = '/lib/modules';

/** Names kbuild writes into a module directory: never part of the module's sources. */
const BUILD_OUTPUT = /(\.(o|ko|mod|mod\.c|mod\.o|cmd|a|order|symvers|dwo)|^Module\.symvers|^modules\.order)$/;

const IMAGE_FILES = { marker: 'rcdebug-image.json', log: 'rcdebug-bake.log', list: 'initramfs.list', cpio: 'initramfs.cpio', image: 'initramfs.cpio.gz' } as const;

/** Knobs for tests. */
export interface ImageBakeOptions {
  /** The guest scripts to pack; default `kernel/guest/`. */
  guestDir?: string;
  /** The busybox binary to pack; default the one on PATH (Debian's busybox-static). */
  busybox?: string;
  /** Parallel make jobs for the module build. */
  jobs?: number;
}

/** A regular file of a directory tree, with what identifies it. */
interface TreeFile {
  rel: string;
  path: string;
  mode: number;
}

async function treeFiles(root: string, skip: (name: string) => boolean = () => false): Promise<TreeFile[]> {
  const out: TreeFile[] = [];
  const walk = async (dir: string) => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, e.name);
      if (e.isDirectory()) await walk(path);
      else if (e.isFile() && !skip(e.name)) out.push({ rel: relative(root, path), path, mode: (await stat(path)).mode & 0o777 });
    }
  };
  await walk(root);
  return out;
}

async function filesDigestParts(files: TreeFile[]): Promise<(string | Buffer)[]> {
  const parts: (string | Buffer)[] = [];
  for (const f of files) parts.push(f.rel, String(f.mode & 0o111 ? 0o755 : 0o644), await readFile(f.path));
  return parts;
}

/** What an image is decided by. */
export interface ImagePlan {
  digest: string;
  imageDir: string;
  kernelBuildDir: string;
  moduleSource: string;
  moduleFiles: TreeFile[];
  guestFiles: TreeFile[];
  busybox: string;
}

/** The kernel build directory of a kernel-build output: the bzImage's `../../..`. */
export function kernelBuildDirOf(kernel: ImageBakeInput['kernel']): string {
  const url = new URL(kernel.artifacts.kernel);
  if (url.protocol !== 'file:') throw new UserError(`the local cloud needs a local kernel, got ${kernel.artifacts.kernel}`, 'kernel.artifacts.kernel', 'run the local kernel-build step');
  const bz = decodeURIComponent(url.pathname);
  if (!bz.endsWith(BZIMAGE)) throw new InfraError(`kernel artifact ${bz} is not a build directory's ${BZIMAGE}`);
  return bz.slice(0, -BZIMAGE.length - 1);
}

/** Computes the image digest: kernel digest, module sources, guest files, busybox, recipe. */
export async function planImage(input: ImageBakeInput, deps: LocalDeps, opts: ImageBakeOptions = {}): Promise<ImagePlan> {
  const { ctx, kernel } = input;
  const moduleSource = resolveInputPath(ctx.module.source);
  if (!existsSync(join(moduleSource, 'Makefile')) && !existsSync(join(moduleSource, 'Kbuild'))) {
    throw new UserError(`module.source ${moduleSource} has no Makefile or Kbuild: it is not an out-of-tree module`, 'module.source', 'point module.source at the directory holding the module Makefile (obj-m := <name>.o)');
  }
  if (!/^[\w-]+$/.test(ctx.module.name)) {
    throw new UserError(`module.name ${JSON.stringify(ctx.module.name)} is not a module name`, 'module.name', 'use the name insmod knows, e.g. kbug');
  }
  const busybox = opts.busybox ?? (await whichTool('busybox'));
  if (!busybox) throw new InfraError('busybox is not installed: run `sudo apt-get install -y busybox-static` (or `rcdebug doctor`)');
  const bb = await stat(busybox);
  const moduleFiles = await treeFiles(moduleSource, (n) => BUILD_OUTPUT.test(n) || n.startsWith('.'));
  const guestFiles = await treeFiles(opts.guestDir ?? GUEST_DIR);
  const digest = digestOf([
    IMAGE_RECIPE_VERSION,
    kernel.digest,
    ctx.module.name,
    ...(await filesDigestParts(moduleFiles)),
    '--guest--',
    ...(await filesDigestParts(guestFiles)),
    `busybox:${busybox}:${bb.size}:${Math.floor(bb.mtimeMs)}`,
  ]);
  return {
    digest,
    imageDir: join(deps.cacheDir, 'images', `${ctx.flavor}-${shortDigest(digest)}`),
    kernelBuildDir: kernelBuildDirOf(kernel),
    moduleSource,
    moduleFiles,
    guestFiles,
    busybox,
  };
}

interface ImageRecord {
  digest: string;
  kernelDigest: string;
  modules: string[];
  bakedAt: string;
}

async function completedImage(dir: string): Promise<ImageRecord | undefined> {
  if (!existsSync(join(dir, IMAGE_FILES.image))) return undefined;
  try {
    return JSON.parse(await readFile(join(dir, IMAGE_FILES.marker), 'utf8')) as ImageRecord;
  } catch {
    return undefined;
  }
}

/**
 * image-bake (local): builds the module under test against the kernel build (`modules_prepare`
 * once per kernel, then `M=` on a copy of the module source in the cache), then packs an
 * initramfs (newc cpio, gzip) with busybox, the modules under /lib/modules and the guest
 * scripts (`kernel/guest/init` as /init). Keyed by a digest of its inputs like the kernel.
 */
export async function localImageBake(input: ImageBakeInput, io: StepIO, deps: LocalDeps, opts: ImageBakeOptions = {}): Promise<ImageBakeOutput> {
  io.progress({ message: 'planning the image' });
  const plan = await planImage(input, deps, opts);
  if (!(await completedBuild(plan.kernelBuildDir))) {
    throw new InfraError(`kernel build ${input.kernel.digest} is not complete in ${plan.kernelBuildDir}: rerun the kernel-build step`);
  }
  const cycle = input.ctx.cycleId;
  const done = await completedImage(plan.imageDir);
  if (done) return outputOf(input, plan, done, true, deps);
  await mkdir(join(deps.cacheDir, 'images'), { recursive: true });
  return withCacheLock(`${plan.imageDir}.lock`, io, 'image bake', async () => {
    const again = await completedImage(plan.imageDir);
    if (again) return outputOf(input, plan, again, true, deps);
    const logFile = join(plan.imageDir, IMAGE_FILES.log);
    try {
      const record = await bake(input, plan, io, deps, logFile, opts);
      return await outputOf(input, plan, record, false, deps);
    } catch (err) {
      if (existsSync(logFile)) await deps.artifacts.putFile(`${cycle}/image-bake/bake.log`, logFile).catch(() => undefined);
      throw err;
    }
  });
}

async function bake(input: ImageBakeInput, plan: ImagePlan, io: StepIO, deps: LocalDeps, logFile: string, opts: ImageBakeOptions): Promise<ImageRecord> {
  const { ctx } = input;
  const dir = plan.imageDir;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeFile(logFile, `# rcdebug image ${plan.digest} (kernel ${input.kernel.digest}, module ${ctx.module.name} ${ctx.module.version})\n`);
  const { makeVars, env } = await compilerMakeVars(deps.cacheDir);
  const kdir = plan.kernelBuildDir;

  // modules_prepare writes into the kernel build directory: hold the kernel's lock meanwhile.
  await withCacheLock(`${kdir}.lock`, io, 'kernel build', async () => {
    if (existsSync(join(kdir, 'rcdebug-modules-prepared'))) return;
    io.progress({ message: 'make modules_prepare' });
    await runTool({ cmd: 'make', args: ['-C', kdir, ...makeVars, 'modules_prepare'], env, logFile, io });
    if (!existsSync(join(kdir, 'usr', 'gen_init_cpio'))) {
      await runTool({ cmd: 'make', args: ['-C', kdir, ...makeVars, 'usr/gen_init_cpio'], env, logFile, io });
    }
    await writeFile(join(kdir, 'rcdebug-modules-prepared'), `${new Date().toISOString()}\n`);
  });

  // Build from a copy: the checkout is never written to, and stale objects there do not matter.
  const modSrc = join(dir, 'module-src');
  for (const f of plan.moduleFiles) {
    await mkdir(join(modSrc, f.rel, '..'), { recursive: true });
    await cp(f.path, join(modSrc, f.rel));
  }
  io.progress({ message: `building module ${ctx.module.name} against ${basename(kdir)}` });
  // The compiler's first error is the one to fix first; with many errors it has left the tail.
  let firstError: string | undefined;
  await runTool({
    cmd: 'make',
    args: ['-C', kdir, ...makeVars, `M=${modSrc}`, `-j${opts.jobs ?? availableParallelism()}`, 'modules'],
    env,
    logFile,
    io,
    onLine: (line) => {
      if (firstError === undefined && /: (?:fatal )?error: /.test(line)) firstError = line.trim();
    },
    classify: ({ tail }) =>
      firstError !== undefined || tail.some((l) => /error:|Error \d/.test(l))
        ? new UserError(
            `module ${ctx.module.name} does not build against kernel ${input.kernel.kernelRelease}: ${firstError ?? 'make failed'}\n${tail.filter((l) => /error/i.test(l) && l.trim() !== firstError).slice(-8).join('\n')}\n(log: ${logFile})`,
            'module.source',
            'fix the compile errors in the module source',
          )
        : undefined,
  });
  const kos = (await treeFiles(modSrc)).filter((f) => f.rel.endsWith('.ko'));
  if (!kos.some((k) => basename(k.rel) === `${ctx.module.name}.ko`)) {
    throw new UserError(
      `module.name is ${ctx.module.name} but the build produced ${kos.map((k) => basename(k.rel)).join(', ') || 'no .ko file'}`,
      'module.name',
      'set module.name to the name of the .ko file the module Makefile builds (obj-m := <name>.o)',
    );
  }
  const modulesDir = join(dir, 'modules');
  await mkdir(modulesDir, { recursive: true });
  for (const k of kos) await cp(k.path, join(modulesDir, basename(k.rel)));

  io.progress({ message: 'packing the initramfs' });
  const applets: string[] = [];
  await runTool({ cmd: plan.busybox, args: ['--list-full'], onLine: (l, s) => s === 'stdout' && l.trim() && applets.push(l.trim()) });
  const meta = join(dir, 'image.json');
  await writeFile(meta, `${JSON.stringify({ digest: plan.digest, kernelDigest: input.kernel.digest, kernelRelease: input.kernel.kernelRelease, module: ctx.module }, null, 2)}\n`);
  const entries: CpioEntry[] = [
    ...BASE_DIRS.map((path): CpioEntry => ({ kind: 'dir', path })),
    ...DEVICE_NODES,
    { kind: 'file', path: '/bin/busybox', source: plan.busybox, mode: 0o755 },
    ...applets.filter((a) => a !== 'bin/busybox' && /^[\w./-]+$/.test(a)).map((a): CpioEntry => ({ kind: 'slink', path: `/${a}`, target: '/bin/busybox' })),
    ...kos.map((k): CpioEntry => ({ kind: 'file', path: `${GUEST_MODULE_DIR}/${basename(k.rel)}`, source: join(modulesDir, basename(k.rel)), mode: 0o644 })),
    ...plan.guestFiles.map((g): CpioEntry => ({ kind: 'file', path: `/rcdebug/${g.rel}`, source: g.path, mode: g.mode & 0o111 ? 0o755 : 0o644 })),
    ...plan.guestFiles.filter((g) => g.rel === 'init').map((g): CpioEntry => ({ kind: 'file', path: '/init', source: g.path, mode: 0o755 })),
    { kind: 'file', path: '/rcdebug/image.json', source: meta, mode: 0o644 },
  ];
  const list = join(dir, IMAGE_FILES.list);
  await writeFile(list, initramfsList(entries));
  const gen = await genInitCpio(kdir, dir, logFile, io);
  const cpio = join(dir, IMAGE_FILES.cpio);
  // gen_init_cpio writes the archive to stdout: a fixed script redirects it, the paths are arguments.
  await runTool({ cmd: 'sh', args: ['-c', 'exec "$0" -t 0 "$1" > "$2"', gen, list, cpio], logFile, io });
  await runTool({ cmd: 'gzip', args: ['-n', '-9', '-f', cpio], logFile, io });
  const record: ImageRecord = { digest: plan.digest, kernelDigest: input.kernel.digest, modules: kos.map((k) => basename(k.rel)), bakedAt: new Date().toISOString() };
  await writeFile(join(dir, IMAGE_FILES.marker), `${JSON.stringify(record, null, 2)}\n`);
  return record;
}

/** The kernel's gen_init_cpio: the build's own, else compiled from the tree's source. */
async function genInitCpio(kdir: string, imageDir: string, logFile: string, io: StepIO): Promise<string> {
  const built = join(kdir, 'usr', 'gen_init_cpio');
  if (existsSync(built)) return built;
  const own = join(imageDir, 'gen_init_cpio');
  await runTool({ cmd: 'gcc', args: ['-O2', '-o', own, join(kdir, 'source', 'usr', 'gen_init_cpio.c')], logFile, io });
  await chmod(own, 0o755);
  return own;
}

async function outputOf(input: ImageBakeInput, plan: ImagePlan, record: ImageRecord, cacheHit: boolean, deps: LocalDeps): Promise<ImageBakeOutput> {
  const dir = plan.imageDir;
  const key = (name: string) => `${input.ctx.cycleId}/image-bake/${name}`;
  const initramfs = join(dir, IMAGE_FILES.image);
  const modules = Object.fromEntries(record.modules.map((m) => [`module:${m}`, pathToFileURL(join(dir, 'modules', m)).href]));
  return {
    imageId: initramfs,
    digest: plan.digest,
    cacheHit,
    artifacts: {
      initramfs: pathToFileURL(initramfs).href,
      kernel: input.kernel.artifacts.kernel,
      ...modules,
      log: await deps.artifacts.putFile(key('bake.log'), join(dir, IMAGE_FILES.log)),
      list: await deps.artifacts.putFile(key('initramfs.list'), join(dir, IMAGE_FILES.list)),
    },
  };
}
