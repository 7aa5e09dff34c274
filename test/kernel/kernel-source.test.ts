import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { prepareKernelSource } from '../../activities/providers/local/kernel-source';
import { isUserError } from '../../src/domain/errors';
import { tempDir } from './fake-kernel';

const MAKEFILE = 'VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 99\nEXTRAVERSION = -rc1\nNAME = Test\n';

describe('prepareKernelSource', () => {
  let tmp: ReturnType<typeof tempDir>;
  let tarball: string;
  const cache = () => join(tmp.dir, 'cache');

  beforeEach(() => {
    tmp = tempDir('ksrc');
    mkdirSync(join(tmp.dir, 'pack', 'linux-source-6.1', 'kernel'), { recursive: true });
    writeFileSync(join(tmp.dir, 'pack', 'linux-source-6.1', 'Makefile'), MAKEFILE);
    writeFileSync(join(tmp.dir, 'pack', 'linux-source-6.1', 'kernel', 'fork.c'), '/* fork */\n');
    tarball = join(tmp.dir, 'linux-source-6.1.tar.gz');
    execFileSync('tar', ['-czf', tarball, '-C', join(tmp.dir, 'pack'), 'linux-source-6.1']);
  });
  afterEach(() => tmp.remove());

  it('unpacks a tarball once into the cache and reuses it', async () => {
    const first = await prepareKernelSource(tarball, cache());
    expect(first.version).toBe('6.1.99-rc1');
    expect(first.root).toMatch(/\/cache\/kernel-src\/linux-source-6\.1-[0-9a-f]{12}$/);
    expect(existsSync(join(first.root, 'kernel', 'fork.c'))).toBe(true);
    // No temporary directory is left next to it.
    expect(readdirSync(join(cache(), 'kernel-src'))).toEqual([first.root.split('/').pop()]);
    writeFileSync(join(first.root, 'kept'), 'x');
    const second = await prepareKernelSource(tarball, cache());
    expect(second).toEqual(first);
    expect(existsSync(join(second.root, 'kept'))).toBe(true);
  });

  it('uses a tree in place, identified by its path and version', async () => {
    const tree = join(tmp.dir, 'pack', 'linux-source-6.1');
    const src = await prepareKernelSource(tree, cache());
    expect(src).toMatchObject({ root: tree, version: '6.1.99-rc1' });
    expect(src.tarball).toBeUndefined();
    expect(src.identity).toContain(`tree:${tree}:`);
    expect(existsSync(join(cache(), 'kernel-src'))).toBe(false);
  });

  it.each([
    { name: 'a path that does not exist', source: () => join(tmp.dir, 'nope.tar.xz'), message: /does not exist/ },
    { name: 'a file that is not a tarball', source: () => join(tmp.dir, 'pack', 'linux-source-6.1', 'Makefile'), message: /neither a directory nor a \.tar/ },
    { name: 'a directory that is not a kernel tree', source: () => join(tmp.dir, 'pack'), message: /not a kernel source tree/ },
  ])('rejects $name with a UserError on kernelSource', async ({ source, message }) => {
    const err = await prepareKernelSource(source(), cache()).catch((e: unknown) => e);
    expect(isUserError(err)).toBe(true);
    expect((err as { field?: string }).field).toBe('kernelSource');
    expect((err as Error).message).toMatch(message);
  });
});
