import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { MAX_STRETCH, cpuSeconds, guestBound } from '../../activities/providers/local/guest-bound';

/** A clock and a qemu CPU meter the test moves by hand. */
function fakeGuest() {
  const t = { wall: 0, cpu: 10 };
  return {
    t,
    bound: (seconds: number, opts: { pid?: number; gone?: boolean } = { pid: 42 }) =>
      guestBound(seconds, opts.pid, () => (opts.gone ? undefined : t.cpu), () => t.wall * 1000),
  };
}

describe('the bound on waiting for a guest', () => {
  it('a guest that had its CPU ends at its seconds, as a plain timeout', () => {
    const g = fakeGuest();
    const b = g.bound(100);
    g.t.wall = 99;
    g.t.cpu += 99;
    expect(b.expired()).toBe(false);
    g.t.wall = 100;
    g.t.cpu += 1;
    expect(b.expired()).toBe(true);
    expect(b.describe()).toBe('100 s');
  });

  it('a starved guest gets more time, until qemu had the CPU time of its seconds', () => {
    const g = fakeGuest();
    const b = g.bound(100);
    g.t.wall = 150;
    g.t.cpu += 30;
    expect(b.expired()).toBe(false);
    expect(b.describe()).toBe('100 s (stretched to 150 s: qemu had 0.20 of a core)');
    g.t.wall = 250;
    g.t.cpu += 69;
    expect(b.expired()).toBe(false);
    g.t.cpu += 1;
    expect(b.expired()).toBe(true);
  });

  it('a guest stuck idle still ends, at most MAX_STRETCH times its seconds', () => {
    const g = fakeGuest();
    const b = g.bound(100);
    g.t.wall = 100 * MAX_STRETCH - 1;
    expect(b.expired()).toBe(false);
    g.t.wall = 100 * MAX_STRETCH;
    expect(b.expired()).toBe(true);
  });

  it('with no VM behind it, or a VM gone, the bound is plain seconds', () => {
    const g = fakeGuest();
    const none = g.bound(100, {});
    const gone = g.bound(100, { pid: 42, gone: true });
    g.t.wall = 99;
    expect(none.expired()).toBe(false);
    expect(gone.expired()).toBe(false);
    g.t.wall = 100;
    expect(none.expired()).toBe(true);
    expect(gone.expired()).toBe(true);
    expect(gone.describe()).toBe('100 s');
  });

  it('reads the CPU time a real process used from /proc', async () => {
    const spin = spawn(process.execPath, ['-e', 'const end = Date.now() + 1500; while (Date.now() < end);']);
    try {
      const pid = spin.pid!;
      const first = cpuSeconds(pid) ?? 0;
      await new Promise((r) => setTimeout(r, 1000));
      expect((cpuSeconds(pid) ?? 0) - first).toBeGreaterThan(0.2);
    } finally {
      spin.kill();
    }
    await new Promise((r) => spin.on('close', r));
    expect(cpuSeconds(spin.pid!)).toBeUndefined();
  });
});
