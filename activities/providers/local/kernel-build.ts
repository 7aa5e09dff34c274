import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Flavor, KernelBuildInput, KernelBuildOutput, StepIO, StepProgress } from '../../../src/domain/contract';
import { InfraError, UserError } from '../../../src/domain/errors';
import { runTool, type ToolRun } from '../../exec/run-tool';
import { repoRoot } from '../../../src/domain/paths';
import type { LocalDeps } from './deps';
import { withCacheLock } from './kernel-cache-lock';
import { compilerVersion, digestOf, shortDigest } from './kernel-digest';
import { KERNEL_DIR, localFragments } from './kernel-flavor';
import { OPTION_LIST, checkOptionList } from './kernel-options';
import { kernelReproducer } from './kernel-reproducer';
import { DEFAULT_KERNEL_SOURCE, prepareKernelSource, type KernelSource } from './kernel-source';
import { VERIFY_SCRIPT, verifyConfig, type VerifyReport } from './kernel-verify';
import { whichTool } from './kernel-which';

/** Bump when the recipe (targets, merge method, make variables) changes: every kernel rebuilds. */
export const KERNEL_RECIPE_VERSION = 'rcdebug-kernel-build/1';

/**
 * Objects a first build of a flavor expects when no earlier build left a count: measured on
 * the 6.1 kasan build (allnoconfig + base + flavor: 1274). Only progress uses it.
 */
export const DEFAULT_OBJECT_ESTIMATE = 1300;

/** Files the build leaves in its build directory, next to the kernel's own. */
export const BUILD_FILES = {
  fragments: 'rcdebug-fragments.config',
  log: 'rcdebug-build.log',
  reproducer: 'rcdebug-reproducer.sh',
  complete: 'rcdebug-complete.json',
  verify: 'rcdebug-verify.json',
  optionList: 'rcdebug-option-list.json',
} as const;

/** The bzImage inside a build directory. */
export const BZIMAGE = join('arch', 'x86', 'boot', 'bzImage');

/** Knobs for tests and for builds outside the checkout. */
export interface KernelBuildOptions {
  /** Folder holding `base/`, `flavors/` and `verify-config.py`; default the checkout's `kernel/`. */
  kernelDir?: string;
  /** Parallel make jobs; default every core. */
  jobs?: number;
  /** Compiler whose version keys the cache; default `gcc`. */
  cc?: string;
}

/** Everything a build is decided by, computed before anything is written. */
export interface KernelBuildPlan {
  flavor: Flavor;
  source: KernelSource;
  fragments: string[];
  fragmentText: string;
  compiler: string;
  digest: string;
  buildDir: string;
  /** The users' option list the build is checked against (`options.list` of the kernel folder). */
  optionList: string;
  /** make variables: `CC=ccache gcc` when ccache is on PATH. */
  makeVars: string[];
  env: Record<string, string>;
}

/** What a finished build leaves in `rcdebug-complete.json`. */
export interface KernelBuildRecord {
  digest: string;
  flavor: Flavor;
  kernelRelease: string;
  configDigest: string;
  objects: number;
  seconds: number;
  finishedAt: string;
}

/** The merged fragments, each under a header naming its file: the text the digest covers. */
export async function mergeFragments(files: string[]): Promise<string> {
  const parts = await Promise.all(
    files.map(async (f) => `# --- ${relative(repoRoot, f).startsWith('..') ? f : relative(repoRoot, f)}\n${(await readFile(f, 'utf8')).replace(/\n*$/, '\n')}`),
  );
  return parts.join('');
}

/** The input digest: recipe, source identity, merged fragments, compiler version. */
export function kernelBuildDigest(parts: { sourceIdentity: string; fragmentText: string; compiler: string }): string {
  return digestOf([KERNEL_RECIPE_VERSION, parts.sourceIdentity, parts.fragmentText, parts.compiler]);
}

/**
 * The make variables and environment every make of a kernel and its modules uses: the same
 * `CC` each time (kbuild compares the compiler), through ccache when it is on PATH. ccache runs
 * in depend mode: on a miss it hashes the headers kbuild's `-Wp,-MMD` lists instead of running
 * the preprocessor first, which made a cold kernel build's compiles about 15% dearer.
 */
export async function compilerMakeVars(cacheDir: string, cc = 'gcc'): Promise<{ makeVars: string[]; env: Record<string, string> }> {
  const ccache = await whichTool('ccache');
  return {
    makeVars: [`CC=${ccache ? `ccache ${cc}` : cc}`],
    env: ccache ? { CCACHE_DIR: join(cacheDir, 'ccache'), CCACHE_DEPEND: '1' } : {},
  };
}

/** Decides a build: source (unpacked once), fragments, compiler, digest and build directory. */
export async function planKernelBuild(flavor: Flavor, deps: LocalDeps, opts: KernelBuildOptions = {}, io?: StepIO): Promise<KernelBuildPlan> {
  const source = await prepareKernelSource(deps.kernelSource ?? DEFAULT_KERNEL_SOURCE, deps.cacheDir, io);
  const fragments = await localFragments(flavor, opts.kernelDir ?? KERNEL_DIR);
  if (fragments.length === 0) throw new InfraError(`no config fragments for flavor ${flavor} under ${opts.kernelDir ?? KERNEL_DIR}`);
  const fragmentText = await mergeFragments(fragments);
  const cc = opts.cc ?? 'gcc';
  const compiler = await compilerVersion(cc);
  const digest = kernelBuildDigest({ sourceIdentity: source.identity, fragmentText, compiler });
  return {
    flavor,
    source,
    fragments,
    fragmentText,
    compiler,
    digest,
    buildDir: join(deps.cacheDir, 'kernel-build', `${flavor}-${shortDigest(digest)}`),
    // A kernel folder of its own (a benchmark's variant) may carry its own list; else the checkout's.
    optionList: [join(opts.kernelDir ?? KERNEL_DIR, 'options.list'), OPTION_LIST].find((f) => existsSync(f)) ?? OPTION_LIST,
    ...(await compilerMakeVars(deps.cacheDir, cc)),
  };
}

/** Reads a finished build's record, or undefined when the build is not complete. */
export async function completedBuild(buildDir: string): Promise<KernelBuildRecord | undefined> {
  if (!existsSync(join(buildDir, BZIMAGE))) return undefined;
  try {
    return JSON.parse(await readFile(join(buildDir, BUILD_FILES.complete), 'utf8')) as KernelBuildRecord;
  } catch {
    return undefined;
  }
}

const OBJECT_LINE = /^\s+(CC|AS|LD|AR)(\s+\[M\])?\s+\S/;

function objectsFile(deps: LocalDeps, flavor: Flavor): string {
  return join(deps.cacheDir, 'kernel-build', `${flavor}.objects`);
}

async function expectedObjects(deps: LocalDeps, flavor: Flavor): Promise<number> {
  const n = Number((await readFile(objectsFile(deps, flavor), 'utf8').catch(() => '')).trim());
  return Number.isFinite(n) && n > 0 ? n : DEFAULT_OBJECT_ESTIMATE;
}

/**
 * kernel-build (local): allnoconfig + the base and flavor fragments, olddefconfig, a check that
 * every requested option survived (a UserError listing each dropped option, before compiling),
 * then make in an out-of-tree build directory keyed by the input digest. A second request with
 * the same inputs is a cache hit that returns in seconds.
 */
export async function localKernelBuild(input: KernelBuildInput, io: StepIO, deps: LocalDeps, opts: KernelBuildOptions = {}): Promise<KernelBuildOutput> {
  const { ctx } = input;
  io.progress({ message: `planning the ${ctx.flavor} kernel` });
  const plan = await planKernelBuild(ctx.flavor, deps, opts, io);
  await mkdir(join(deps.cacheDir, 'kernel-build'), { recursive: true });
  const cached = await completedBuild(plan.buildDir);
  if (cached) return outputOf(plan, cached, true, ctx.cycleId, deps);
  return withCacheLock(`${plan.buildDir}.lock`, io, 'kernel build', async () => {
    // Another cycle may have finished this very build while we waited for the lock.
    const done = await completedBuild(plan.buildDir);
    if (done) return outputOf(plan, done, true, ctx.cycleId, deps);
    const record = await build(plan, io, deps, ctx.cycleId, opts);
    return outputOf(plan, record, false, ctx.cycleId, deps);
  });
}

/** Runs make in the source tree with the build directory and compiler of a plan. */
function makeIn(plan: KernelBuildPlan, io: StepIO | undefined, logFile: string) {
  return (args: string[], extra: Partial<ToolRun> = {}) =>
    runTool({ cmd: 'make', args: ['-C', plan.source.root, `O=${plan.buildDir}`, ...plan.makeVars, ...args], env: plan.env, logFile, io, ...extra });
}

/**
 * Writes the build directory's `.config`: allnoconfig with the merged fragments, then
 * olddefconfig, then verify-config.py. Rejects with a UserError listing each dropped option
 * (and why) before anything is compiled.
 */
export async function configureKernel(plan: KernelBuildPlan, io: StepIO | undefined, logFile: string): Promise<VerifyReport> {
  const dir = plan.buildDir;
  const make = makeIn(plan, io, logFile);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, BUILD_FILES.fragments), plan.fragmentText);
  io?.progress({ message: 'configuring: allnoconfig + fragments, olddefconfig' });
  await make([`KCONFIG_ALLCONFIG=${join(dir, BUILD_FILES.fragments)}`, 'allnoconfig'], {
    // kbuild refuses an out-of-tree build from a tree that was configured in place.
    classify: ({ tail }) =>
      tail.some((l) => /source tree is not clean/.test(l))
        ? new UserError(`kernel source ${plan.source.root} was built in place, so out-of-tree builds refuse it`, 'kernelSource', `run \`make -C ${plan.source.root} mrproper\` or point kernelSource at a clean tree or tarball`)
        : undefined,
  });
  await make(['olddefconfig']);
  io?.progress({ message: 'verifying that every requested option survived olddefconfig' });
  const report = await verifyConfig({ config: join(dir, '.config'), srctree: plan.source.root, fragments: plan.fragments, logFile, io });
  await writeFile(join(dir, BUILD_FILES.verify), `${JSON.stringify(report, null, 2)}\n`);
  // The users' option list: each option of this flavor present, or unable to be (explained).
  const listed = await checkOptionList({ config: join(dir, '.config'), srctree: plan.source.root, flavor: plan.flavor, list: plan.optionList, logFile, io });
  await writeFile(join(dir, BUILD_FILES.optionList), `${JSON.stringify(listed, null, 2)}\n`);
  return report;
}

/**
 * Turns make's output into progress: each `CC`/`AS`/`LD`/`AR` line is one object, counted
 * against `total` (the object count of the flavor's last build, else an estimate). The total
 * never drops to the count, so progress does not claim 100% before make has finished.
 */
export function objectProgress(total: number): (line: string) => StepProgress | undefined {
  let objects = 0;
  return (line) => {
    if (!OBJECT_LINE.test(line)) return undefined;
    objects += 1;
    const shownTotal = Math.max(total, objects + 1);
    return { message: `compiled ${objects}/~${shownTotal} objects`, done: objects, total: shownTotal };
  };
}

async function build(plan: KernelBuildPlan, io: StepIO, deps: LocalDeps, cycleId: string, opts: KernelBuildOptions): Promise<KernelBuildRecord> {
  const started = Date.now();
  const dir = plan.buildDir;
  await mkdir(dir, { recursive: true });
  const logFile = join(dir, BUILD_FILES.log);
  await writeFile(logFile, `# rcdebug kernel build ${plan.digest} (flavor ${plan.flavor}, source ${plan.source.version}, ${plan.compiler})\n`);
  const reproducer = kernelReproducer({
    digest: plan.digest,
    flavor: plan.flavor,
    srctree: plan.source.root,
    tarball: plan.source.tarball,
    buildDir: dir,
    fragmentText: plan.fragmentText,
    fragments: plan.fragments,
    verifyScript: opts.kernelDir ? join(opts.kernelDir, 'verify-config.py') : VERIFY_SCRIPT,
    makeVars: plan.makeVars,
    compiler: plan.compiler,
  });
  await writeFile(join(dir, BUILD_FILES.reproducer), reproducer, { mode: 0o755 });
  await deps.artifacts.putText(`${cycleId}/kernel-build/reproducer.sh`, reproducer);
  const make = makeIn(plan, io, logFile);
  try {
    await configureKernel(plan, io, logFile);
    const total = await expectedObjects(deps, plan.flavor);
    // A build resumed after a cancel compiles only the rest: its count is no total for the next.
    const fresh = !existsSync(join(dir, 'init'));
    const progress = objectProgress(total);
    let objects = 0;
    const jobs = opts.jobs ?? availableParallelism();
    await make([`-j${jobs}`], {
      progress: (line) => {
        const p = progress(line);
        if (p) objects = p.done ?? objects;
        return p;
      },
    });
    const release: string[] = [];
    await make(['-s', 'kernelrelease'], { onLine: (line, stream) => stream === 'stdout' && line.trim() && release.push(line.trim()) });
    const kernelRelease = release.at(-1);
    if (!kernelRelease) throw new InfraError(`make kernelrelease printed nothing (log: ${logFile})`);
    if (!existsSync(join(dir, BZIMAGE))) throw new InfraError(`make finished but ${BZIMAGE} is missing (log: ${logFile})`);
    const config = await readFile(join(dir, '.config'));
    const record: KernelBuildRecord = {
      digest: plan.digest,
      flavor: plan.flavor,
      kernelRelease,
      configDigest: createHash('sha256').update(config).digest('hex'),
      objects,
      seconds: Math.round((Date.now() - started) / 1000),
      finishedAt: new Date().toISOString(),
    };
    if (fresh && objects > 0) await writeFile(objectsFile(deps, plan.flavor), `${objects}\n`);
    await writeFile(join(dir, BUILD_FILES.complete), `${JSON.stringify(record, null, 2)}\n`);
    io.progress({ message: `built ${kernelRelease} in ${record.seconds} s`, done: objects, total: objects });
    return record;
  } catch (err) {
    // The log of a failed build is what the user reads first; keep it with the cycle's artifacts.
    await deps.artifacts.putFile(`${cycleId}/kernel-build/build.log`, logFile).catch(() => undefined);
    throw err;
  }
}

async function outputOf(plan: KernelBuildPlan, record: KernelBuildRecord, cacheHit: boolean, cycleId: string, deps: LocalDeps): Promise<KernelBuildOutput> {
  const dir = plan.buildDir;
  const key = (name: string) => `${cycleId}/kernel-build/${name}`;
  return {
    digest: plan.digest,
    kernelRelease: record.kernelRelease,
    configDigest: record.configDigest,
    cacheHit,
    artifacts: {
      kernel: pathToFileURL(join(dir, BZIMAGE)).href,
      log: await deps.artifacts.putFile(key('build.log'), join(dir, BUILD_FILES.log)),
      reproducer: await deps.artifacts.putFile(key('reproducer.sh'), join(dir, BUILD_FILES.reproducer)),
      config: await deps.artifacts.putFile(key('config'), join(dir, '.config')),
    },
  };
}
