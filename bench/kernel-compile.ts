/**
 * What a cold local kernel build pays per compile: a few of the kasan build's heaviest objects
 * compiled again with their own recorded command lines (`.<object>.cmd` of the cached build),
 * into a scratch folder, in two comparisons measured side by side:
 * - debug info: full DWARF5, DEBUG_INFO_REDUCED's flags (what local kernels use), none;
 * - the compiler cache on a miss: plain gcc, ccache as it runs by default (the preprocessor first),
 *   ccache in depend mode (what local builds use), each with an empty cache.
 * Every round takes the variants in turn, so a change of machine load hits them alike; figures
 * are the median CPU seconds (user + system of the compiler processes) and ratios to the first
 * variant of each comparison.
 *
 * `npm run bench kernel-compile` (needs a built kasan kernel in the cache: run `npm run demo`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { whichTool } from '../activities/providers/local/kernel-which';
import { cacheDir } from '../src/domain/paths';
import { ROUNDS, childCpuSeconds, median } from './kernel-bench-kit';

const OBJECTS = ['kernel/sched/core.o', 'mm/slub.o', 'fs/namei.o', 'kernel/locking/lockdep.o', 'net/ipv4/tcp.o', 'mm/page_alloc.o', 'kernel/fork.o', 'fs/dcache.o'];
const REDUCED = ['-fno-var-tracking', '-femit-struct-debug-baseonly'];

interface Variant {
  name: string;
  /** The compile command, from the recorded one (a shell command line; ccache already taken off). */
  command: (recorded: string) => string;
  /** Through ccache, with an empty CCACHE_DIR each time, in depend mode or not. */
  ccache?: { depend: boolean };
}

const full = (c: string) => REDUCED.reduce((cmd, flag) => cmd.replaceAll(` ${flag} `, ' '), `${c} `);
const DEBUG_INFO: Variant[] = [
  { name: 'full DWARF5', command: full },
  { name: 'DEBUG_INFO_REDUCED', command: (c) => full(c).replace(' -g ', ` -g ${REDUCED.join(' ')} `) },
  { name: 'no debug info', command: (c) => full(c).replace(' -g ', ' -g0 ').replace(/ -gdwarf-\d /, ' ') },
];
const COMPILER_CACHE: Variant[] = [
  { name: 'gcc', command: (c) => c },
  { name: 'ccache, empty (preprocessor first)', command: (c) => c, ccache: { depend: false } },
  { name: 'ccache, empty, depend mode', command: (c) => c, ccache: { depend: true } },
];

/** The newest kasan build of the cache that finished (its completion record is there). */
function kasanBuildDir(): string {
  const root = join(cacheDir(), 'kernel-build');
  const dirs = existsSync(root) ? readdirSync(root).filter((d) => d.startsWith('kasan-')).map((d) => join(root, d)) : [];
  const built = dirs.filter((d) => existsSync(join(d, 'rcdebug-complete.json'))).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (!built[0]) throw new Error(`no built kasan kernel under ${root}: run \`npm run demo\` (or a local kasan cycle) first`);
  return built[0];
}

/** The recorded compile of one object, without ccache and without what follows it (objtool, ...). */
function recordedCompile(build: string, object: string): string {
  const cmdFile = join(build, dirname(object), `.${basename(object)}.cmd`);
  const line = readFileSync(cmdFile, 'utf8').split('\n').find((l) => l.startsWith('cmd_'));
  if (!line) throw new Error(`${cmdFile}: no cmd_ line`);
  return line.slice(line.indexOf(':=') + 2).split(';')[0]!.trim().replace(/^ccache /, '');
}

export async function benchKernelCompile(): Promise<void> {
  const build = kasanBuildDir();
  const ccache = await whichTool('ccache');
  if (!ccache) throw new Error('ccache is not on PATH: `node scripts/bootstrap.mjs bench` installs it');
  const objects = OBJECTS.filter((o) => existsSync(join(build, dirname(o), `.${basename(o)}.cmd`)));
  const scratch = mkdtempSync(join(tmpdir(), 'rcdebug-bench-compile-'));
  try {
    const compile = (v: Variant): { cpu: number; bytes: number } => {
      const env: NodeJS.ProcessEnv = { ...process.env, CCACHE_DIR: join(scratch, 'ccache') };
      if (v.ccache?.depend) env.CCACHE_DEPEND = '1';
      else delete env.CCACHE_DEPEND;
      rmSync(join(scratch, 'ccache'), { recursive: true, force: true });
      let bytes = 0;
      const cpu0 = childCpuSeconds();
      for (const [i, object] of objects.entries()) {
        const out = join(scratch, `${i}.o`);
        const recorded = recordedCompile(build, object).replace(/-Wp,-MMD,\S+/, `-Wp,-MMD,${out}.d`).replace(` -o ${object} `, ` -o ${out} `);
        const command = `${v.ccache ? `${ccache} ` : ''}${v.command(recorded)}`;
        try {
          execFileSync('sh', ['-c', command], { cwd: build, env, stdio: ['ignore', 'ignore', 'pipe'] });
        } catch (e) {
          const stderr = String((e as { stderr?: Buffer }).stderr ?? '').split('\n').slice(0, 5).join('\n');
          throw new Error(`${v.name}: compiling ${object} failed:\n${stderr}`);
        }
        bytes += statSync(out).size;
      }
      return { cpu: childCpuSeconds() - cpu0, bytes };
    };
    for (const [title, variants] of [['debug info', DEBUG_INFO], ['compiler cache on a miss', COMPILER_CACHE]] as const) {
      const cpu = variants.map(() => [] as number[]);
      const bytes = variants.map(() => 0);
      for (let r = 0; r < ROUNDS; r++) {
        for (const [i, v] of variants.entries()) {
          const m = compile(v);
          cpu[i]!.push(m.cpu);
          bytes[i] = m.bytes;
        }
      }
      console.log(`${title}: ${objects.length} objects of ${basename(build)}, CPU s median of ${ROUNDS} rounds`);
      console.log('  variant | CPU s (each round) | variant/first | objects MB');
      for (const [i, v] of variants.entries()) {
        console.log(`  ${v.name} | ${median(cpu[i]!).toFixed(1)} (${cpu[i]!.map((c) => c.toFixed(1)).join(', ')}) | ${(median(cpu[i]!) / median(cpu[0]!)).toFixed(2)} | ${(bytes[i]! / 1e6).toFixed(1)}`);
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
