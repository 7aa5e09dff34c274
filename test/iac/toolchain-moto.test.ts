/**
 * Where moto comes from: the toolchain accepts a moto_server found on PATH only when it runs
 * the pinned moto, so a machine image that ships another version gets the pinned one installed
 * into the cache instead of tests that run against an emulator they were not written for.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { iacTools, MOTO_VERSION, motoVersionOf } from '../../scripts/tools-iac.mjs';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A PATH folder with a moto_server whose "python" reports `version` as moto's. */
function fakeMotoOnPath(version: string): { bin: string; cache: string } {
  const root = mkdtempSync(join(tmpdir(), 'rcdebug-moto-'));
  dirs.push(root);
  const bin = join(root, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'python3'), `#!/bin/sh\necho ${version}\n`);
  writeFileSync(join(bin, 'moto_server'), `#!${join(bin, 'python3')}\nimport moto\n`);
  chmodSync(join(bin, 'python3'), 0o755);
  chmodSync(join(bin, 'moto_server'), 0o755);
  return { bin, cache: join(root, 'cache') };
}

function motoTool(bin: string, cache: string) {
  const which = (name: string) => (name === 'moto_server' ? join(bin, 'moto_server') : undefined);
  const tools = iacTools({ binDir: join(cache, 'bin'), cacheDir: cache, which, run: () => undefined, standardFind: () => () => undefined });
  const moto = tools.find((t) => t.name === 'moto_server');
  if (!moto) throw new Error('moto_server is not in the tool table');
  return moto;
}

describe('moto_server resolution', () => {
  it('reads the moto version from the interpreter on the shebang line', () => {
    const { bin } = fakeMotoOnPath('4.9.0');
    expect(motoVersionOf(join(bin, 'moto_server'))).toBe('4.9.0');
  });

  it('refuses a moto_server on PATH at another version, so the pinned one gets installed', () => {
    const { bin, cache } = fakeMotoOnPath('4.9.0');
    expect(motoTool(bin, cache).find()).toBeUndefined();
  });

  it('accepts a moto_server on PATH at the pinned version', () => {
    const { bin, cache } = fakeMotoOnPath(MOTO_VERSION);
    expect(motoTool(bin, cache).find()).toEqual({ path: join(bin, 'moto_server'), source: `PATH, ${MOTO_VERSION}` });
  });

  it('cannot tell the version behind a shell shim, and so does not take it', () => {
    const { bin, cache } = fakeMotoOnPath(MOTO_VERSION);
    writeFileSync(join(bin, 'moto_server'), '#!/usr/bin/env bash\nexec pyenv exec moto_server "$@"\n');
    expect(motoVersionOf(join(bin, 'moto_server'))).toBeUndefined();
    expect(motoTool(bin, cache).find()).toBeUndefined();
  });

  it('prefers the cache virtualenv, which holds the pinned version by construction', () => {
    const { bin, cache } = fakeMotoOnPath('4.9.0');
    const venvBin = join(cache, 'venv-moto', 'bin');
    mkdirSync(venvBin, { recursive: true });
    writeFileSync(join(venvBin, 'moto_server'), '#!/bin/sh\n');
    chmodSync(join(venvBin, 'moto_server'), 0o755);
    expect(motoTool(bin, cache).find()).toEqual({ path: join(venvBin, 'moto_server'), source: 'cache' });
  });
});
