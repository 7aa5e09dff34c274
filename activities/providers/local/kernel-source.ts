import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { StepIO } from '../../../src/domain/contract';
import { UserError } from '../../../src/domain/errors';
import { runTool } from '../../exec/run-tool';
import { digestOf, shortDigest } from './kernel-digest';
import { KERNEL_SOURCE_TARBALL } from '../../../scripts/toolchain.mjs';

/** The Debian kernel source package's tarball: the default source of local builds. */
export const DEFAULT_KERNEL_SOURCE: string = KERNEL_SOURCE_TARBALL;

/** A kernel source tree ready to build from. */
export interface KernelSource {
  /** Root of the tree (holds the top Makefile and Kconfig). */
  root: string;
  /** `VERSION.PATCHLEVEL.SUBLEVEL[EXTRAVERSION]` from the top Makefile. */
  version: string;
  /** What identifies this source in build digests: cheap to compute, changes when the source does. */
  identity: string;
  /** The tarball it was unpacked from, when it was. */
  tarball?: string | undefined;
}

const UNPACKED_MARKER = '.rcdebug-unpacked';
const TARBALL_RE = /\.tar(\.(xz|gz|bz2|zst))?$/;

/** Reads `VERSION`, `PATCHLEVEL`, `SUBLEVEL`, `EXTRAVERSION` from a tree's top Makefile. */
export async function makefileVersion(root: string): Promise<{ version: string; lines: string }> {
  let text: string;
  try {
    text = await readFile(join(root, 'Makefile'), 'utf8');
  } catch {
    throw new UserError(`${root} is not a kernel source tree: it has no Makefile`, 'kernelSource', 'point kernelSource at a kernel tree or a linux-source-*.tar.xz');
  }
  const get = (key: string) => new RegExp(`^${key}\\s*=\\s*(.*)$`, 'm').exec(text)?.[1]?.trim() ?? '';
  const [v, p, s, e] = ['VERSION', 'PATCHLEVEL', 'SUBLEVEL', 'EXTRAVERSION'].map(get);
  if (!v || !p) {
    throw new UserError(`${root}/Makefile has no VERSION/PATCHLEVEL: not a kernel source tree`, 'kernelSource', 'point kernelSource at a kernel tree or a linux-source-*.tar.xz');
  }
  return { version: `${v}.${p}.${s || '0'}${e ?? ''}`, lines: `${v}\n${p}\n${s}\n${e}` };
}

/**
 * Where a tarball is unpacked: `<cacheDir>/kernel-src/<name>-<id>`, the id a digest of the
 * tarball's path, size and mtime (hashing 140 MB each time would cost more than it saves).
 */
export async function unpackDirFor(tarball: string, cacheDir: string): Promise<string> {
  const st = await stat(tarball);
  const id = shortDigest(digestOf([resolve(tarball), String(st.size), String(Math.floor(st.mtimeMs))]));
  return join(cacheDir, 'kernel-src', `${basename(tarball).replace(TARBALL_RE, '')}-${id}`);
}

/**
 * Makes a kernel source ready: a tree is used in place; a tarball is unpacked once into the
 * cache (into a temporary directory, then renamed, so a crash never leaves half a tree).
 */
export async function prepareKernelSource(source: string, cacheDir: string, io?: StepIO): Promise<KernelSource> {
  const path = resolve(source);
  let st;
  try {
    st = await stat(path);
  } catch {
    throw new UserError(`kernel source ${path} does not exist`, 'kernelSource', `install the Debian package linux-source-6.1 (${DEFAULT_KERNEL_SOURCE}) or point kernelSource at a kernel tree`);
  }
  if (st.isDirectory()) {
    const { version, lines } = await makefileVersion(path);
    return { root: path, version, identity: `tree:${path}:${digestOf([lines])}` };
  }
  if (!TARBALL_RE.test(path)) {
    throw new UserError(`kernel source ${path} is neither a directory nor a .tar(.xz|.gz|.bz2|.zst) tarball`, 'kernelSource', 'point kernelSource at a kernel tree or a linux-source-*.tar.xz');
  }
  const dest = await unpackDirFor(path, cacheDir);
  if (!existsSync(join(dest, UNPACKED_MARKER))) await unpack(path, dest, io);
  const { version, lines } = await makefileVersion(dest);
  return {
    root: dest,
    version,
    identity: `tarball:${basename(path)}:${st.size}:${Math.floor(st.mtimeMs)}:${digestOf([lines])}`,
    tarball: path,
  };
}

async function unpack(tarball: string, dest: string, io?: StepIO): Promise<void> {
  const tmp = `${dest}.tmp-${process.pid}-${Date.now()}`;
  await mkdir(tmp, { recursive: true });
  try {
    io?.progress({ message: `unpacking ${basename(tarball)}` });
    await runTool({ cmd: 'tar', args: ['-xf', tarball, '-C', tmp], io });
    const entries = (await readdir(tmp)).filter((n) => !n.startsWith('.'));
    const top = entries.length === 1 && existsSync(join(tmp, entries[0] ?? '', 'Makefile')) ? join(tmp, entries[0] ?? '') : tmp;
    await makefileVersion(top);
    await writeFile(join(top, UNPACKED_MARKER), `${tarball}\n`);
    try {
      await rename(top, dest);
    } catch (err) {
      // Another build unpacked the same tarball meanwhile: use theirs.
      if (!existsSync(join(dest, UNPACKED_MARKER))) throw err;
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
