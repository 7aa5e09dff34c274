import { describe, expect, it } from 'vitest';
import { signatureOf } from '../../src/domain/findings/signature';
import { normalizeTitle } from '../../src/domain/findings/title-normalize';

describe('signatureOf', () => {
  it.each([
    ['addresses', 'BUG: unable to handle kernel paging request at ffff88002bde1e40', 'BUG: unable to handle kernel paging request at ADDR'],
    ['offsets', 'WARNING in kbug_init+0x1c/0x80', 'WARNING in kbug_init'],
    ['line numbers', 'WARNING: suspicious RCU usage at net/core/dev.c:1234', 'WARNING: suspicious RCU usage at net/core/dev.c:LINE'],
    ['CPU ids', 'BUG: soft lockup - CPU#3 stuck for 22s!', 'BUG: soft lockup - CPU stuck for NUMs!'],
    ['decimal numbers', 'INFO: task kbug-hang:90 blocked for more than 122 seconds.', 'INFO: task kbug-hang:NUM blocked for more than NUM seconds.'],
    ['compiler clones', 'general protection fault in kbug_worker.isra.0', 'general protection fault in kbug_worker'],
    ['constprop clones', 'KASAN: use-after-free Read in __call_rcu.constprop.76', 'KASAN: use-after-free Read in __call_rcu'],
    ['module names', 'KCSAN: data-race in kbug_reader [kbug] / kbug_writer [kbug]', 'KCSAN: data-race in kbug_reader / kbug_writer'],
    ['fuzzer process ids', 'INFO: task syz-executor.3:1234 blocked', 'INFO: task syz-executor blocked'],
    ['spacing', 'memory leak   in\tkbug_leak', 'memory leak in kbug_leak'],
  ])('strips %s', (_what, title, want) => {
    expect(signatureOf(title)).toBe(want);
  });

  it.each([
    'KASAN: use-after-free Read in kbug_uaf_read',
    'BUG: soft lockup - CPU#3 stuck for 22s!',
    'kernel BUG at net/core/skbuff.c:123!',
    'possible deadlock in kbug_lock_ab',
  ])('is idempotent for %j', (title) => {
    expect(signatureOf(signatureOf(title))).toBe(signatureOf(title));
    expect(normalizeTitle(normalizeTitle(title))).toBe(normalizeTitle(title));
  });

  it('gives one bug one signature across runs and nodes, and different bugs different ones', () => {
    const run1 = signatureOf('BUG: soft lockup - CPU#0 stuck for 23s! [kbug-spin:91]');
    const run2 = signatureOf('BUG: soft lockup - CPU#1 stuck for 45s! [kbug-spin:1207]');
    expect(run1).toBe(run2);
    expect(signatureOf('KASAN: use-after-free Read in kbug_a')).not.toBe(signatureOf('KASAN: use-after-free Write in kbug_a'));
    expect(signatureOf('memory leak in kbug_a')).not.toBe(signatureOf('memory leak in kbug_b'));
    // Digits that belong to a name stay.
    expect(signatureOf('WARNING in nl802154_add_llsec_key')).toBe('WARNING in nl802154_add_llsec_key');
  });
});
