import { describe, expect, it } from 'vitest';
import { PANIC_MARKERS, consoleShowsPanic, panicLine } from '../../src/domain/findings/index';

describe('panic detection on the console: one list for every cloud', () => {
  it.each([
    { text: '[  12.1] Kernel panic - not syncing: Fatal exception', panic: true },
    { text: '[  12.1] ---[ end Kernel panic - not syncing: Fatal exception ]---', panic: true },
    { text: '[  12.1] kernel BUG at mm/slub.c:123!', panic: true },
    { text: '[  12.1] Oops: 0002 [#1] PREEMPT SMP KASAN', panic: true },
    { text: '[  12.1] Oops: general protection fault, probably for non-canonical address 0xdffffc0000000000: 0000 [#1] SMP KASAN', panic: true },
    { text: '[  12.1] BUG: KASAN: use-after-free in foo', panic: false },
    { text: '[  12.1] WARNING: possible circular locking dependency detected', panic: false },
    { text: '', panic: false },
  ])('$text', ({ text, panic }) => expect(consoleShowsPanic(text)).toBe(panic));

  it('names the first line that shows it, trimmed', () => {
    const log = 'boot ok\n[ 1.0] kbug: loaded\n  [ 2.0] kernel BUG at drivers/kbug.c:9!  \n[ 2.1] Kernel panic - not syncing: Fatal exception\n';
    expect(panicLine(log)).toBe('[ 2.0] kernel BUG at drivers/kbug.c:9!');
  });

  it('every marker has a reason and matches nothing in a clean boot', async () => {
    const { readFileSync } = await import('node:fs');
    const clean = readFileSync('test/fixtures/findings/clean-boot', 'utf8');
    for (const m of PANIC_MARKERS) {
      expect(m.why.length).toBeGreaterThan(10);
      expect(m.pattern.test(clean), String(m.pattern)).toBe(false);
    }
  });
});
