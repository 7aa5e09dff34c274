import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contextOf, stripConsolePrefix, withoutSyslogPrefix } from '../../src/domain/findings/console-line';
import { repoRoot } from '../../src/domain/paths';
import { corpusDir } from '../support/corpus';

// The console prefix as documented: optional "dropped" notice, login prompt and log level,
// then the timestamp and an optional caller id.
const REFERENCE = /^(?:\*\* [0-9]+ printk messages dropped \*\* )?(?:.* login: )?(?:<[0-9]+>)?\[ *[0-9]+\.[0-9]+\](\[ *(?:C|T)[0-9]+\])? /;
const reference = (line: string) => {
  const m = REFERENCE.exec(line);
  return m ? (m[1] ?? 'console') : '';
};

describe('contextOf', () => {
  it.each([
    ['[   12.345678] foo', 'console'],
    ['[   12.345678][  T123] foo', '[  T123]'],
    ['[   12.345678][    C1] foo', '[    C1]'],
    ['[12.3][T1] foo', '[T1]'],
    ['<6>[   12.345678] foo', 'console'],
    ['syzkaller login: [   12.3] foo', 'console'],
    ['** 3 printk messages dropped ** [   12.3][ T9] foo', '[ T9]'],
    ['[   12.345678]foo', ''],
    ['[   12.] foo', ''],
    ['[ abc] foo', ''],
    ['[   12.3][ X1] foo', ''],
    ['plain line', ''],
    ['', ''],
  ])('reads %j as %j', (line, want) => {
    expect(contextOf(line)).toBe(want);
    expect(reference(line)).toBe(want);
  });

  it('agrees with the documented prefix format on every line of the corpus and fixtures', () => {
    const dirs = [corpusDir, resolve(repoRoot, 'test/fixtures/findings')];
    let lines = 0;
    const disagree: string[] = [];
    for (const dir of dirs.filter((d) => existsSync(d))) {
      for (const f of readdirSync(dir).filter((f) => !f.includes('.'))) {
        for (const line of readFileSync(join(dir, f), 'latin1').split('\n')) {
          lines++;
          if (contextOf(line) !== reference(line)) disagree.push(`${f}: ${line}`);
        }
      }
    }
    expect(lines).toBeGreaterThan(100);
    expect(disagree.slice(0, 5)).toEqual([]);
  });
});

describe('stripConsolePrefix', () => {
  it.each([
    ['[   1.2][ T1]  foo+0x1/0x2', '[ T1]', ' foo+0x1/0x2', false],
    ['[   1.2][ T1]  ? foo+0x1/0x2', '[ T1]', ' foo+0x1/0x2', true],
    ['[   1.2]  [<ffffffff81000000>] ? foo+0x1/0x2', 'console', ' foo+0x1/0x2', true],
    ['[   1.2]  <EOI>  ? foo+0x1/0x2', 'console', ' <EOI>  ? foo+0x1/0x2', false],
    ['[   1.2] [c0000000] foo+0x1/0x2 (unreliable)', 'console', '[c0000000] foo+0x1/0x2', true],
    ['no prefix ? at all', '', 'no prefix ? at all', false],
  ])('strips %j', (line, context, text, questionable) => {
    expect(stripConsolePrefix(line, context)).toEqual({ text, questionable });
  });
});

describe('withoutSyslogPrefix', () => {
  it.each([
    ['Nov 24 10:00:02 ip-10-0-0-1 kernel: [   12.3] BUG: x', '[   12.3] BUG: x'],
    ['Nov  4 10:00:02 node-1 kernel: WARNING: x', 'WARNING: x'],
    ['2026-11-24T10:00:02.123456+00:00 node-1 kernel: [   12.3] BUG: x', '[   12.3] BUG: x'],
    ['2026-11-24T10:00:02Z node-1 kernel: [   12.3] BUG: x', '[   12.3] BUG: x'],
    ['Nov 24 10:00:02 node-1 systemd[1]: kernel: not the kernel', 'Nov 24 10:00:02 node-1 systemd[1]: kernel: not the kernel'],
    ['[   12.3] sshd: kernel: [x]', '[   12.3] sshd: kernel: [x]'],
    ['Sep 23 02:31[   69.2][ T2742] ALSA: x', 'Sep 23 02:31[   69.2][ T2742] ALSA: x'],
  ])('reads %j as %j', (line, want) => {
    expect(withoutSyslogPrefix(line)).toBe(want);
  });
});
