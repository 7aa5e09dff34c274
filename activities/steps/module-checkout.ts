/**
 * moduleCheckout, for validateMain: the module's repository (a git URL, or a path to a
 * repository or to a directory inside one) at a ref, resolved to its commit and checked out
 * into a cache folder keyed by that commit, on the worker that builds the module. A path
 * inside a repository keeps its subdirectory: that is where the module is. The user's own
 * repository is only read (a private index file, no worktree entry, no fetch into it).
 */
import { createHash } from 'node:crypto';
import { existsSync, realpathSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { StepIO } from '../../src/domain/contract';
import { UserError } from '../../src/domain/errors';
import { cacheDir, resolveInputPath } from '../../src/domain/paths';
import type { ModuleCheckout } from '../../src/domain/validate';
import { resolveTool } from '../../scripts/toolchain.mjs';
import { runTool } from '../exec/run-tool';

export interface ModuleCheckoutInput {
  repo: string;
  ref: string;
}

/** Whether `repo` names a remote repository rather than a path on the worker. */
export function isGitUrl(repo: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(repo) || /^[^/\s]+@[^/\s]+:/.test(repo);
}

async function git(args: string[], io: StepIO | undefined, opts: { cwd?: string; env?: Record<string, string>; fail?: () => Error } = {}): Promise<string> {
  const out: string[] = [];
  await runTool({
    cmd: resolveTool('git').path,
    args,
    cwd: opts.cwd,
    env: { GIT_TERMINAL_PROMPT: '0', ...opts.env },
    io,
    timeoutMs: 10 * 60_000,
    onLine: (line, stream) => {
      if (stream === 'stdout') out.push(line);
    },
    classify: opts.fail ? () => opts.fail!() : undefined,
  });
  return out.join('\n').trim();
}

const repoError = (repo: string, why: string) => new UserError(`--repo ${repo}: ${why}`, 'repo', 'give a git URL, or a path to a git repository (or a directory inside one) on the worker');

/** The git directory to read and the module's directory inside the tree. */
async function openRepository(repo: string, root: string, io?: StepIO): Promise<{ gitDir: string; subdir: string }> {
  if (isGitUrl(repo)) {
    // A bare mirror per URL in the cache, fetched on every checkout: the ref may have moved.
    const gitDir = join(root, 'mirrors', createHash('sha256').update(repo).digest('hex').slice(0, 16));
    const fail = () => repoError(repo, 'git cannot read it (no such repository, or no access)');
    if (!existsSync(gitDir)) {
      await rm(`${gitDir}.tmp`, { recursive: true, force: true });
      await git(['clone', '--bare', '--quiet', repo, `${gitDir}.tmp`], io, { fail });
      await rename(`${gitDir}.tmp`, gitDir);
    } else {
      await git(['--git-dir', gitDir, 'fetch', '--quiet', '--prune', 'origin', '+refs/heads/*:refs/heads/*', '+refs/tags/*:refs/tags/*'], io, { fail });
    }
    return { gitDir, subdir: '' };
  }
  const path = resolveInputPath(repo);
  if (!existsSync(path) || !statSync(path).isDirectory()) throw repoError(repo, `there is no directory ${path}`);
  const fail = () => repoError(repo, `${path} is not inside a git repository`);
  const top = await git(['-C', path, 'rev-parse', '--show-toplevel'], io, { fail });
  const gitDir = await git(['-C', path, 'rev-parse', '--absolute-git-dir'], io, { fail });
  return { gitDir, subdir: relative(realpathSync(top), realpathSync(path)) };
}

/** The module's name from its kbuild file (`obj-m := kbug.o`). */
async function moduleName(dir: string, repo: string): Promise<string> {
  for (const file of ['Kbuild', 'Makefile']) {
    const path = join(dir, file);
    if (!existsSync(path)) continue;
    const m = /^\s*obj-m\s*[:+]?=\s*([A-Za-z0-9_-]+)\.o\b/m.exec(await readFile(path, 'utf8'));
    if (m) return m[1]!;
  }
  throw repoError(repo, `${dir} holds no out-of-tree module (no "obj-m := <name>.o" in a Kbuild or Makefile)`);
}

/**
 * Resolves the ref to its commit and checks that commit out into
 * `<cache>/validate/checkouts/<commit>` (once: a second call reuses it).
 */
export async function moduleCheckout(input: ModuleCheckoutInput, io?: StepIO, root = join(cacheDir(), 'validate')): Promise<ModuleCheckout> {
  const { gitDir, subdir } = await openRepository(input.repo, root, io);
  const commit = await git(['--git-dir', gitDir, 'rev-parse', '--verify', '--quiet', `${input.ref}^{commit}`], io, {
    fail: () => new UserError(`--ref ${input.ref}: no such branch, tag or commit in ${input.repo}`, 'ref', 'give a branch, tag or commit of the repository (git rev-parse must know it)'),
  });
  const tree = join(root, 'checkouts', commit);
  if (!existsSync(tree)) {
    const tmp = `${tree}.tmp-${process.pid}`;
    await rm(tmp, { recursive: true, force: true });
    await mkdir(tmp, { recursive: true });
    // A private index: the repository's own index and worktrees stay as they are.
    const env = { GIT_INDEX_FILE: join(tmp, '.rcdebug-index') };
    await git(['--git-dir', gitDir, '--work-tree', tmp, 'read-tree', commit], io, { env });
    await git(['--git-dir', gitDir, '--work-tree', tmp, 'checkout-index', '--all', '--force'], io, { env });
    await rm(env.GIT_INDEX_FILE, { force: true });
    try {
      await rename(tmp, tree);
    } catch (err) {
      // Another run checked the same commit out meanwhile: theirs serves.
      await rm(tmp, { recursive: true, force: true });
      if (!existsSync(tree)) throw err;
    }
  }
  const source = join(tree, subdir);
  if (!existsSync(source)) throw repoError(input.repo, `${subdir} does not exist at commit ${commit}`);
  return {
    repo: input.repo,
    ref: input.ref,
    commit,
    module: { name: await moduleName(source, input.repo), source, version: commit.slice(0, 12) },
  };
}
