/**
 * Behaviour of the parser beyond the golden files: several reports per log, line numbers,
 * prefixes, interleaving, module frames, streaming equal to in-memory, and bad input.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUserError } from '../../src/domain/errors';
import { MAX_LINE_CHARS } from '../../src/domain/findings/log-lines';
import { parseKernelLog, parseKernelLogFile } from '../../src/domain/findings/parse-log';
import { repoRoot } from '../../src/domain/paths';
import { readGolden } from './golden-file';
import { corpusDir } from '../support/corpus';

const fixtures = resolve(repoRoot, 'test/fixtures/findings');
const fixtureLog = (name: string) => readGolden(join(fixtures, name)).log;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rcdebug-findings-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parseKernelLog', () => {
  it('returns every report of a log in order, with its lines', () => {
    const log = [fixtureLog('kbug-kasan-uaf'), 'noise', fixtureLog('kbug-kmemleak'), fixtureLog('kbug-hung-task')].join('\n');
    const reports = parseKernelLog(log);
    expect(reports.map((r) => r.title)).toEqual([
      'KASAN: use-after-free Read in kbug_uaf_read',
      'memory leak in kbug_leak',
      'memory leak in kbug_worker_stash',
      'INFO: task hung in kbug_stuck_io',
    ]);
    const lines = log.split('\n');
    for (const r of reports) {
      expect(r.startLine).toBeLessThanOrEqual(r.endLine);
      expect(r.report).toContain(lines[r.startLine - 1]!.replace(/^\[[^\]]*\] /, '').trim());
    }
    expect(reports[0]!.startLine).toBe(4);
    expect(reports[0]).toMatchObject({ type: 'KASAN-USE-AFTER-FREE-READ', frame: 'kbug_uaf_read', corrupted: false });
    expect(reports[0]!.alternativeTitles).toContain('bad-access in kbug_uaf_read');
  });

  it.each([
    ['kbug-qemu-kasan-run-1', [
      'possible deadlock in kbug_lock_ba',
      'BUG: scheduling while atomic in msleep',
      'BUG: sleeping function called from invalid context in __rseq_handle_notify_resume',
      'WARNING in __rseq_handle_notify_resume',
      'BUG: scheduling while atomic in exit_to_user_mode_prepare',
      'KASAN: use-after-free Read in kbug_uaf_read',
      'memory leak in kbug_run_one',
    ]],
    ['kbug-qemu-kasan-run-2', [
      'possible deadlock in kbug_lock_ba',
      'BUG: sleeping function called from invalid context in kbug_atomic_sleep',
      'KASAN: use-after-free Read in kbug_uaf_read',
      'memory leak in kbug_run_one',
    ]],
  ])('finds every planted bug of a real run of our kernel (%s), none corrupted', (name, titles) => {
    const reports = parseKernelLog(fixtureLog(name));
    expect(reports.map((r) => r.title)).toEqual(titles);
    expect(reports.filter((r) => r.corrupted).map((r) => r.title)).toEqual([]);
    // kmemleak hashes its pointers: [<(____ptrval____)>] frames still name the leak.
    expect(reports.at(-1)!.report).toContain('[<(____ptrval____)>] kbug_run_one');
  });

  it.each([
    ['plain timestamps', '[   12.3] '],
    ['caller ids', '[   12.3][  T42] '],
    ['no prefix at all', ''],
    ['syslog-style CPU prefix', '[   12.3][    C0] '],
  ])('reads a report with %s', (_name, prefix) => {
    const body = [
      'BUG: kernel NULL pointer dereference, address: 0000000000000008',
      'RIP: 0010:kbug_null_deref+0x11/0x30 [kbug]',
      'Call Trace:',
      ' <TASK>',
      ' kbug_thread_fn+0x3a/0x80 [kbug]',
      ' kthread+0xe6/0x110',
      ' </TASK>',
    ];
    const [r] = parseKernelLog(body.map((l) => prefix + l).join('\n'));
    expect(r).toMatchObject({ title: 'BUG: unable to handle kernel NULL pointer dereference in kbug_null_deref', corrupted: false, startLine: 1 });
  });

  it('keeps lines of other tasks out of a report and does not split it on them', () => {
    const reports = parseKernelLog(fixtureLog('kbug-null-deref-interleaved'));
    expect(reports).toHaveLength(1);
    expect(reports[0]!.report).not.toContain('sshd');
    expect(reports[0]!.report).not.toContain('timer tick');
  });

  it('marks a log cut in the middle of a report as corrupted', () => {
    const [r] = parseKernelLog(fixtureLog('kbug-kasan-truncated'));
    expect(r).toMatchObject({ title: 'KASAN: slab-out-of-bounds Write in kbug_overflow', corrupted: true });
    expect(r!.corruptedReason).not.toBe('');
  });

  it('does not report boot chatter that merely contains a header word', () => {
    expect(parseKernelLog(fixtureLog('clean-boot'))).toEqual([]);
  });

  it('handles CRLF line ends like LF', () => {
    const log = fixtureLog('kbug-kasan-uaf');
    expect(parseKernelLog(log.replace(/\n/g, '\r\n')).map((r) => r.title)).toEqual(parseKernelLog(log).map((r) => r.title));
  });

  it.each([
    ['an empty log', ''],
    ['only newlines', '\n\n\n'],
    ['binary garbage', String.fromCharCode(...Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256))],
  ])('finds nothing in %s', (_name, text) => {
    expect(parseKernelLog(text)).toEqual([]);
  });
});

describe('transport', () => {
  it('gives the same reports for a log shipped through syslog or with CRLF line ends, on every golden log', () => {
    const corpus = corpusDir;
    const files = [corpus, fixtures]
      .filter((d) => existsSync(d))
      .flatMap((d) => readdirSync(d).filter((f) => !f.includes('.') && !/^readme/i.test(f)).map((f) => join(d, f)));
    expect(files.length).toBeGreaterThan(10);
    const summary = (text: string) => parseKernelLog(text).map((r) => `${r.title} | ${r.corrupted} | ${r.startLine}`);
    const differ: string[] = [];
    for (const file of files) {
      const log = readGolden(file).log;
      // A log that already came through syslog would get a second prefix, which no transport adds.
      if (/^\S.* kernel: /m.test(log)) continue;
      const want = summary(log);
      const viaSyslog = summary(log.split('\n').map((l) => `Nov 24 10:00:02 node-1 kernel: ${l}`).join('\n'));
      const viaCrlf = summary(log.replace(/\n/g, '\r\n'));
      if (JSON.stringify(viaSyslog) !== JSON.stringify(want) || JSON.stringify(viaCrlf) !== JSON.stringify(want)) differ.push(file);
    }
    expect(differ).toEqual([]);
  });
});

describe('parseKernelLogFile (streaming)', () => {
  it('finds the same reports as the in-memory parser on every fixture', async () => {
    for (const name of readdirSync(fixtures).filter((f) => !f.includes('.'))) {
      const log = fixtureLog(name);
      const file = join(dir, name);
      writeFileSync(file, log);
      const streamed = await parseKernelLogFile(file);
      expect(streamed.reports, name).toEqual(parseKernelLog(log));
    }
  });

  it('reports a missing file as a UserError naming it', async () => {
    const missing = join(dir, 'no-such.log');
    const err = await parseKernelLogFile(missing).catch((e: unknown) => e);
    expect(isUserError(err)).toBe(true);
    expect((err as Error).message).toContain(missing);
  });

  it('reports a directory as a UserError naming it', async () => {
    const err = await parseKernelLogFile(dir).catch((e: unknown) => e);
    expect(isUserError(err)).toBe(true);
    expect((err as Error).message).toContain(dir);
  });

  it('counts invalid UTF-8 and control bytes and still finds the report', async () => {
    const file = join(dir, 'mixed.log');
    const kasan = Buffer.from(fixtureLog('kbug-kasan-uaf'));
    writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe, 0x00, 0x01, 0xc3, 0x28, 0x0a]), kasan]));
    const { reports, diagnostics } = await parseKernelLogFile(file);
    expect(reports.map((r) => r.title)).toEqual(['KASAN: use-after-free Read in kbug_uaf_read']);
    expect(diagnostics.invalidChars).toBeGreaterThan(0);
    expect(diagnostics.controlChars).toBe(2);
  });

  it('cuts a 100 MB single line without holding it in memory', async () => {
    const file = join(dir, 'one-line.log');
    const fh = await open(file, 'w');
    const chunk = Buffer.alloc(1 << 20, 'x');
    for (let i = 0; i < 100; i++) await fh.write(chunk);
    await fh.write('\n' + fixtureLog('kbug-kasan-uaf'));
    await fh.close();
    const before = process.memoryUsage().rss;
    let peak = before;
    const { reports, diagnostics } = await parseKernelLogFile(file, {
      onReport: () => {
        peak = Math.max(peak, process.memoryUsage().rss);
      },
    });
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(diagnostics.cutLines).toBe(1);
    expect(diagnostics.firstCutLine).toBe(1);
    expect(reports.map((r) => r.title)).toEqual(['KASAN: use-after-free Read in kbug_uaf_read']);
    expect(reports[0]!.startLine).toBe(5);
    // 100 MB of line held as a string would be at least 100 MB (200 MB as UTF-16).
    expect(peak - before).toBeLessThan(80 << 20);
    expect(MAX_LINE_CHARS).toBeLessThan(1 << 20);
  });

  it('parses an empty file to no reports', async () => {
    const file = join(dir, 'empty.log');
    writeFileSync(file, '');
    expect((await parseKernelLogFile(file)).reports).toEqual([]);
  });

  it('keeps memory bounded in a storm of reports without an end', async () => {
    const file = join(dir, 'storm.log');
    const one = readFileSync(join(fixtures, 'kbug-kasan-truncated'), 'utf8').split('\n\n')[1]!;
    writeFileSync(file, one.repeat(2000));
    let n = 0;
    const { reports } = await parseKernelLogFile(file, { onReport: () => n++, keep: false });
    expect(reports).toEqual([]);
    expect(n).toBe(2000);
  });
});
