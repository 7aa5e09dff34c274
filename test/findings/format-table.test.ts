/**
 * Checks of the report table itself: no empty or duplicate patterns, no row that can never
 * apply (shadowed by an earlier family or row), templates that only use what the row captures.
 */
import { describe, expect, it } from 'vitest';
import { compileFamily, familyOfLine, FAMILIES, HEADER_PREFILTER } from '../../src/domain/findings/compiled-table';
import type { ReportFamily } from '../../src/domain/findings/format-types';
import { expandPattern, PARSE_STACK } from '../../src/domain/findings/patterns';
import { REPORT_FAMILIES } from '../../src/domain/findings/report-formats';

const rows = REPORT_FAMILIES.flatMap((family) => family.formats.map((format, i) => ({ name: `${family.header} #${i + 1} ${format.title}`, family, format })));

function captureCount(pattern: string): number {
  const source = expandPattern(pattern.startsWith('(?i)') ? pattern.slice(4) : pattern);
  return (new RegExp(`${source}|`).exec('')?.length ?? 1) - 1;
}

describe('report table', () => {
  it('has non-empty, distinct family headers', () => {
    const headers = REPORT_FAMILIES.map((f) => f.header);
    expect(headers.filter((h) => h.trim() === '')).toEqual([]);
    expect(new Set(headers).size).toBe(headers.length);
  });

  it('has no family shadowed by an earlier one (a later header containing an earlier header)', () => {
    const shadowed: string[] = [];
    REPORT_FAMILIES.forEach((later, j) => {
      REPORT_FAMILIES.slice(0, j).forEach((earlier) => {
        if (later.header.includes(earlier.header)) shadowed.push(`"${later.header}" is shadowed by "${earlier.header}"`);
      });
    });
    expect(shadowed).toEqual([]);
  });

  it.each(rows)('$name: title starts with the family header, so the prefilter lets its lines through', ({ family, format }) => {
    const title = format.title.replace(/^\^/, '');
    expect(title.length).toBeGreaterThan(0);
    // The header may be the stricter of the two ("Booting the kernel." for "^Booting the kernel").
    const literal = expandPattern(title).replace(/\\(.)/g, '$1');
    expect(literal.startsWith(family.header) || family.header.startsWith(literal.split(/[[(.*+?]/)[0]!)).toBe(true);
    expect(HEADER_PREFILTER.test(family.header)).toBe(true);
  });

  it.each(rows)('$name: output template uses only captured groups and found frames', ({ format }) => {
    expect(format.output.trim()).not.toBe('');
    const groups = captureCount(format.report ?? format.title);
    const parses = format.stack ? Math.max(1, format.stack.parts.filter((p) => p === PARSE_STACK).length) : 0;
    for (const template of [format.output, ...(format.alt ?? [])]) {
      for (const [, key] of template.matchAll(/\{(frame\d*|\d+)\}/g)) {
        if (key!.startsWith('frame')) {
          const n = key === 'frame' ? 1 : Number(key!.slice(5));
          expect(n, `${template} uses ${key} but the row finds ${parses} frame(s)`).toBeLessThanOrEqual(parses);
        } else {
          expect(Number(key), `${template} uses {${key}} but the pattern has ${groups} group(s)`).toBeLessThanOrEqual(groups);
        }
      }
    }
  });

  it('has no row shadowed by an earlier row of its family with the same title and no report pattern', () => {
    const problems: string[] = [];
    for (const family of REPORT_FAMILIES) {
      family.formats.forEach((f, j) => {
        family.formats.slice(0, j).forEach((earlier) => {
          if (earlier.title === f.title && earlier.report === f.report) problems.push(`${family.header}: duplicate row ${f.title}`);
          else if (earlier.title === f.title && earlier.report === undefined) problems.push(`${family.header}: ${f.title} is shadowed`);
        });
      });
    }
    expect(problems).toEqual([]);
  });

  it('compiles every pattern, stack part and ignore rule', () => {
    expect(FAMILIES.length).toBe(REPORT_FAMILIES.length);
    for (const family of FAMILIES) {
      for (const f of family.formats) {
        if (f.stack) expect(f.stack.parts.length).toBeGreaterThan(0);
      }
      expect(family.ignore.every((re) => re.source !== '(?:)')).toBe(true);
    }
  });

  it.each([
    ['[   1.0] BUG: KASAN: use-after-free in foo+0x1/0x2', 'BUG:'],
    ['[   1.0] WARNING: CPU: 0 PID: 1 at net/core/dev.c:1 foo+0x1/0x2', 'WARNING:'],
    ['[   1.0] Kernel panic - not syncing: Fatal exception', 'Kernel panic'],
    ['unreferenced object 0xffff888003b4c100 (size 64):', 'unreferenced object 0x'],
    ['[   1.0] INFO: lockdep is turned off.', undefined],
    ['[   1.0] WARNING: Unprivileged eBPF is enabled with eIBRS on', undefined],
    ['[   1.0] ODEBUG: Out of memory. ODEBUG disabled', undefined],
    ['[   1.0] systemd[1]: Started Journal Service.', undefined],
  ])('gives %j to family %s', (line, header) => {
    expect(familyOfLine(line)?.header).toBe(header);
  });

  it('rejects a row whose template refers to a missing capture (the check above would catch it)', () => {
    const bad: ReportFamily = { header: 'X:', formats: [{ title: 'X: foo', output: 'x in {2}' }] };
    expect(captureCount(bad.formats[0]!.title)).toBe(0);
    expect(() => compileFamily(bad)).not.toThrow();
  });
});
