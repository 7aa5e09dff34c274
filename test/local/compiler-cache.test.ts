import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compilerMakeVars } from '../../activities/providers/local/kernel-build';

/**
 * The compiler cache of kernel and module builds, with the real ccache and gcc: compiled as
 * kbuild compiles (`-Wp,-MMD,<depfile>`), an unchanged source is a hit, and a change to a header
 * it includes is a miss, although depend mode never runs the preprocessor to see it (the
 * preprocessor runs on a miss were about 15% of a cold kernel build's compile CPU).
 */
describe('compiler cache', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rcdebug-ccache-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('hashes the headers kbuild lists: a hit when nothing changed, a miss when a header did', async () => {
    const { makeVars, env } = await compilerMakeVars(dir);
    expect(makeVars).toEqual([expect.stringMatching(/^CC=\S*ccache gcc$/)]);
    expect(env.CCACHE_DEPEND).toBe('1');
    const [ccache, cc] = makeVars[0]!.slice('CC='.length).split(' ') as [string, string];
    writeFileSync(join(dir, 'bug.h'), '#define SIZE 16\n');
    writeFileSync(join(dir, 'bug.c'), '#include "bug.h"\nint size(void) { return SIZE; }\n');
    const compile = () =>
      execFileSync(ccache, [cc, '-Wp,-MMD,bug.o.d', '-O2', '-g', '-c', 'bug.c', '-o', 'bug.o'], { cwd: dir, env: { ...process.env, ...env } });
    const stats = (): { hits: number; misses: number; preprocessed: number } => {
      const out = execFileSync(ccache, ['--print-stats'], { env: { ...process.env, ...env }, encoding: 'utf8' });
      const field = (name: string) => Number(new RegExp(`^${name}\\t(\\d+)$`, 'm').exec(out)?.[1]);
      return { hits: field('direct_cache_hit'), misses: field('cache_miss'), preprocessed: field('preprocessed_cache_miss') + field('preprocessed_cache_hit') };
    };
    compile();
    expect(stats()).toEqual({ hits: 0, misses: 1, preprocessed: 0 });
    compile();
    expect(stats()).toEqual({ hits: 1, misses: 1, preprocessed: 0 });
    writeFileSync(join(dir, 'bug.h'), '#define SIZE 32\n');
    compile();
    expect(stats()).toEqual({ hits: 1, misses: 2, preprocessed: 0 });
  });
});
