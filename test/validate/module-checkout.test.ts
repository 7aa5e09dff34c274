/** moduleCheckout against real git repositories in temp folders: paths, URLs, bad repo and ref. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { moduleCheckout } from '../../activities/steps/module-checkout';
import { UserError } from '../../src/domain/errors';

let dir: string;
let repo: string;
let cache: string;
const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } }).trim();

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rcdebug-checkout-'));
  repo = join(dir, 'repo');
  cache = join(dir, 'cache');
  mkdirSync(join(repo, 'drivers', 'mymod'), { recursive: true });
  execFileSync('git', ['init', '-q', '-b', 'main', repo]);
  writeFileSync(join(repo, 'drivers', 'mymod', 'Makefile'), 'obj-m := mymod.o\n');
  writeFileSync(join(repo, 'drivers', 'mymod', 'mymod.c'), '/* v1 */\n');
  git('add', '-A');
  git('commit', '-qm', 'v1');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const errorOf = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);

describe('moduleCheckout', () => {
  it('a path inside a repository: its toplevel at the ref, the subdirectory kept, the commit recorded', async () => {
    const v1 = git('rev-parse', 'HEAD');
    writeFileSync(join(repo, 'drivers', 'mymod', 'mymod.c'), '/* v2 */\n');
    git('commit', '-qam', 'v2');
    // An uncommitted change is not what a ref names.
    writeFileSync(join(repo, 'drivers', 'mymod', 'mymod.c'), '/* dirty */\n');
    const out = await moduleCheckout({ repo: join(repo, 'drivers', 'mymod'), ref: 'HEAD~1' }, undefined, cache);
    expect(out.commit).toBe(v1);
    expect(out.module).toEqual({ name: 'mymod', source: join(cache, 'checkouts', v1, 'drivers', 'mymod'), version: v1.slice(0, 12) });
    expect(readFileSync(join(out.module.source, 'mymod.c'), 'utf8')).toBe('/* v1 */\n');
    // The user's repository is untouched: same worktree list, same status.
    expect(git('worktree', 'list').split('\n')).toHaveLength(1);
    expect(git('status', '--porcelain')).toBe('M drivers/mymod/mymod.c');
    expect((await moduleCheckout({ repo: join(repo, 'drivers', 'mymod'), ref: v1 }, undefined, cache)).module.source).toBe(out.module.source);
  });

  it('a git URL: cloned into a mirror, a moved branch fetched again', async () => {
    const url = pathToFileURL(repo).href;
    writeFileSync(join(repo, 'Kbuild'), 'obj-m := toplevel.o\n');
    git('add', 'Kbuild');
    git('commit', '-qm', 'top');
    const first = await moduleCheckout({ repo: url, ref: 'main' }, undefined, cache);
    expect(first.module).toMatchObject({ name: 'toplevel', source: join(cache, 'checkouts', first.commit) });
    writeFileSync(join(repo, 'Kbuild'), 'obj-m += renamed.o\n');
    git('commit', '-qam', 'rename');
    const second = await moduleCheckout({ repo: url, ref: 'main' }, undefined, cache);
    expect(second.commit).toBe(git('rev-parse', 'HEAD'));
    expect(second.module.name).toBe('renamed');
  });

  it.each([
    { name: 'a path that does not exist', input: () => ({ repo: join(dir, 'nope'), ref: 'main' }), field: 'repo', message: /--repo .*nope: there is no directory/ },
    { name: 'a directory outside any repository', input: () => ({ repo: dir, ref: 'main' }), field: 'repo', message: /is not inside a git repository/ },
    { name: 'a URL git cannot read', input: () => ({ repo: pathToFileURL(join(dir, 'nope.git')).href, ref: 'main' }), field: 'repo', message: /git cannot read it/ },
    { name: 'a ref that does not exist', input: () => ({ repo, ref: 'no-such-branch' }), field: 'ref', message: /--ref no-such-branch: no such branch, tag or commit/ },
    { name: 'a directory without a module', input: () => ({ repo, ref: 'main' }), field: 'repo', message: /no out-of-tree module/ },
  ])('$name → UserError naming --$field', async ({ input, field, message }) => {
    const err = await errorOf(moduleCheckout(input(), undefined, cache));
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).field).toBe(field);
    expect((err as Error).message).toMatch(message);
    expect(existsSync(join(cache, 'checkouts')) ? execFileSync('ls', [join(cache, 'checkouts')], { encoding: 'utf8' }) : '').not.toMatch(/tmp/);
  });
});
