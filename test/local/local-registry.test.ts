import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isUserError } from '../../src/domain/errors';
import { localRegistry } from '../../activities/providers/local/registry';
import type { VersionRecord } from '../../src/domain/registry/scheme';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'rcdebug-registry-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const record = (over: Partial<VersionRecord> = {}): VersionRecord => ({
  cloud: 'local',
  flavor: 'kasan',
  kernelRelease: '6.1.158-rcdebug',
  inputDigest: 'aaaa1111',
  imageId: '/cache/images/aaaa1111/initramfs.cpio.gz',
  configDigest: 'cfg1',
  createdAt: '2026-11-24T10:00:00.000Z',
  rc: 'v1.0.0-rc1',
  ...over,
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name).slice(root.length));
}

describe('local registry', () => {
  it('writes the naming scheme as files, with latest and per-rc pointers', async () => {
    const reg = localRegistry(root);
    const out = await reg.publish(record());
    expect(out.latest).toBe('/rcdebug/local/kasan/latest');
    expect(out.rcPointer).toBe('/rcdebug/rc/v1.0.0-rc1/local/kasan');
    expect(out.paths).toEqual(
      expect.arrayContaining([
        '/rcdebug/local/kasan/6.1.158-rcdebug/aaaa1111/image-id',
        '/rcdebug/local/kasan/6.1.158-rcdebug/aaaa1111/kernel-release',
        '/rcdebug/local/kasan/6.1.158-rcdebug/aaaa1111/config-digest',
        '/rcdebug/local/kasan/6.1.158-rcdebug/aaaa1111/created-at',
        '/rcdebug/local/kasan/6.1.158-rcdebug/aaaa1111/rc',
      ]),
    );
    expect(readFileSync(join(root, 'rcdebug/local/kasan/latest'), 'utf8')).toBe('6.1.158-rcdebug/aaaa1111');
    // Atomic writes leave no temporary files behind.
    expect(filesUnder(root).filter((f) => f.includes('.tmp-'))).toEqual([]);
    expect(await reg.latest('local', 'kasan')).toEqual(record());
    expect(await reg.forRc('v1.0.0-rc1', 'local', 'kasan')).toEqual(record());
    expect(await reg.findByDigest('local', 'kasan', 'aaaa1111')).toEqual(record());
    expect(await reg.findByDigest('local', 'kasan', 'other')).toBeUndefined();
    expect(await reg.latest('local', 'kcsan')).toBeUndefined();
  });

  it('keeps history, moves latest forward, and rolls back', async () => {
    const reg = localRegistry(root);
    await reg.publish(record());
    await reg.publish(record({ inputDigest: 'bbbb2222', createdAt: '2026-11-24T11:00:00.000Z', rc: 'v1.0.0-rc2' }));
    expect((await reg.history('local', 'kasan')).map((r) => r.inputDigest)).toEqual(['aaaa1111', 'bbbb2222']);
    expect((await reg.latest('local', 'kasan'))?.inputDigest).toBe('bbbb2222');
    expect((await reg.forRc('v1.0.0-rc1', 'local', 'kasan'))?.inputDigest).toBe('aaaa1111');
    await reg.rollback('local', 'kasan', 'aaaa1111');
    expect((await reg.latest('local', 'kasan'))?.inputDigest).toBe('aaaa1111');
    const err = await reg.rollback('local', 'kasan', 'nope').catch((e: unknown) => e);
    expect(isUserError(err)).toBe(true);
  });

  it('republishing a record is idempotent and keeps its creation time', async () => {
    const reg = localRegistry(root);
    await reg.publish(record());
    await reg.publish(record({ createdAt: '2026-11-25T00:00:00.000Z', rc: 'v1.0.0-rc3' }));
    const [only, ...rest] = await reg.history('local', 'kasan');
    expect(rest).toEqual([]);
    expect(only?.createdAt).toBe('2026-11-24T10:00:00.000Z');
    expect((await reg.forRc('v1.0.0-rc3', 'local', 'kasan'))?.inputDigest).toBe('aaaa1111');
  });

  it('a record missing a field is not found (a publish that died halfway)', async () => {
    const reg = localRegistry(root);
    await reg.publish(record());
    rmSync(join(root, 'rcdebug/local/kasan/6.1.158-rcdebug/aaaa1111/created-at'));
    expect(await reg.findByDigest('local', 'kasan', 'aaaa1111')).toBeUndefined();
    expect(await reg.latest('local', 'kasan')).toBeUndefined();
  });

  it('concurrent publishes of different records all land', async () => {
    const reg = localRegistry(root);
    await Promise.all(
      Array.from({ length: 8 }, (_, i) => reg.publish(record({ inputDigest: `d${i}`, createdAt: `2026-11-24T10:00:0${i}.000Z` }))),
    );
    expect((await reg.history('local', 'kasan')).map((r) => r.inputDigest)).toEqual(['d0', 'd1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7']);
    expect(await reg.latest('local', 'kasan')).toBeDefined();
  });
});
