import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mirroredArtifactStore, type ObjectSide } from '../../activities/artifacts/mirrored-store';

// The store every cloud's object storage artifact store is built on, over an in-memory object side.
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rcdebug-mirror-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function memoryObjects(): ObjectSide & { objects: Map<string, string> } {
  const objects = new Map<string, string>();
  return {
    objects,
    async put(name, body) {
      objects.set(name, body.toString());
      return `mem://${name}`;
    },
    async read(ref) {
      if (!ref.startsWith('mem://')) return undefined;
      const name = ref.slice('mem://'.length);
      return { name, text: objects.get(name) ?? '' };
    },
  };
}

describe('mirroredArtifactStore', () => {
  it('writes text and files under the prefix remotely and to the local mirror', async () => {
    const mem = memoryObjects();
    const store = mirroredArtifactStore(mem, join(dir, 'mirror'));
    expect(await store.putText('c1/report.md', '# report')).toBe('mem://artifacts/c1/report.md');
    writeFileSync(join(dir, 'build.log'), 'make: ok');
    expect(await store.putFile('c1/kernel-build/build.log', join(dir, 'build.log'))).toBe('mem://artifacts/c1/kernel-build/build.log');
    expect(mem.objects.get('artifacts/c1/kernel-build/build.log')).toBe('make: ok');
    expect(readFileSync(join(dir, 'mirror', 'c1', 'report.md'), 'utf8')).toBe('# report');
    expect(store.localPath?.('c1/report.md')).toBe(join(dir, 'mirror', 'c1', 'report.md'));
  });

  it('reads a remote reference and keeps a local copy of what is under the prefix only', async () => {
    const mem = memoryObjects();
    mem.objects.set('artifacts/c2/console.log', 'BUG: KASAN');
    mem.objects.set('elsewhere/x.txt', 'not an artifact');
    const store = mirroredArtifactStore(mem, join(dir, 'mirror'));
    expect(await store.getText('mem://artifacts/c2/console.log')).toBe('BUG: KASAN');
    expect(readFileSync(join(dir, 'mirror', 'c2', 'console.log'), 'utf8')).toBe('BUG: KASAN');
    expect(await store.getText('mem://elsewhere/x.txt')).toBe('not an artifact');
    expect(existsSync(join(dir, 'mirror', 'elsewhere'))).toBe(false);
    expect(existsSync(join(dir, 'mirror', 'x.txt'))).toBe(false);
  });

  it('reads a reference that is not the storage\'s from the local store', async () => {
    const store = mirroredArtifactStore(memoryObjects(), join(dir, 'mirror'), 'a/');
    writeFileSync(join(dir, 'local.txt'), 'on disk');
    expect(await store.getText(pathToFileURL(join(dir, 'local.txt')).href)).toBe('on disk');
  });
});
