import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { takeLock } from '../support/vm-lock';

// The lock that keeps the files of real VMs from running side by side.
describe('the VM lock of a test run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rcdebug-vm-lock-'));
  const lock = join(dir, 'vm.lock');
  afterEach(() => rmSync(lock, { force: true }));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a second taker waits until the first releases', async () => {
    const release = await takeLock(lock, 10);
    expect(readFileSync(lock, 'utf8')).toBe(String(process.pid));
    let second = false;
    const waiting = takeLock(lock, 10).then((r) => {
      second = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(second).toBe(false);
    release();
    (await waiting)();
    expect(second).toBe(true);
    expect(existsSync(lock)).toBe(false);
  });

  it('a lock whose owner died is taken', async () => {
    // A pid that was real and is gone: a child that has exited.
    const dead = Number(execFileSync('sh', ['-c', 'echo $$']).toString().trim());
    writeFileSync(lock, String(dead));
    const release = await takeLock(lock, 10);
    expect(readFileSync(lock, 'utf8')).toBe(String(process.pid));
    release();
  });
});
