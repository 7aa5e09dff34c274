import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { chooseAccel, forgetAccelChoice } from '../../activities/providers/local/kvm-probe';

afterEach(() => {
  delete process.env.RCDEBUG_ACCEL;
  forgetAccelChoice();
});

it.each(['kvm', 'tcg'] as const)('RCDEBUG_ACCEL=%s decides without a probe boot', async (accel) => {
  const dir = mkdtempSync(join(tmpdir(), 'rcdebug-probe-'));
  try {
    process.env.RCDEBUG_ACCEL = accel;
    // The kernel does not exist: a probe boot would fail, so none happened.
    const choice = await chooseAccel({ stateDir: dir }, '/nonexistent/bzImage', '/nonexistent/initrd');
    expect(choice.accel).toBe(accel);
    expect(choice.reason).toBe(`forced by RCDEBUG_ACCEL=${accel}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('a cached decision younger than an hour is reused without a probe boot', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rcdebug-probe-'));
  try {
    writeFileSync(join(dir, 'kvm-probe.json'), JSON.stringify({ accel: 'tcg', cpu: 'max', reason: 'cached', probedAt: new Date().toISOString() }));
    const choice = await chooseAccel({ stateDir: dir }, '/nonexistent/bzImage', '/nonexistent/initrd');
    expect(choice.reason).toBe('cached');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
