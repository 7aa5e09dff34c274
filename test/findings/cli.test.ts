/**
 * The findings commands run the way users run them: `node bin/rcdebug.js findings ...`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/domain/paths';
import { readGolden } from './golden-file';

const fixtures = resolve(repoRoot, 'test/fixtures/findings');
let dir: string;

function rcdebug(...args: string[]) {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin/rcdebug.js'), ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function logFile(name: string, ...fixtureNames: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, fixtureNames.map((f) => readGolden(join(fixtures, f)).log).join('\n'));
  return path;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rcdebug-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('rcdebug findings parse', () => {
  it('--json prints exactly one JSON array of the reports, in log order, and exits 0', () => {
    const log = logFile('node.log', 'kbug-kasan-uaf', 'kbug-deadlock', 'kbug-kmemleak');
    const r = rcdebug('findings', 'parse', log, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trimStart().startsWith('[')).toBe(true);
    const reports = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(Array.isArray(reports)).toBe(true);
    expect(reports.map((x) => x.title)).toEqual([
      'KASAN: use-after-free Read in kbug_uaf_read',
      'possible deadlock in kbug_lock_ab',
      'memory leak in kbug_leak',
      'memory leak in kbug_worker_stash',
    ]);
    for (const x of reports) {
      expect(Object.keys(x)).toEqual(expect.arrayContaining(['title', 'alternativeTitles', 'type', 'frame', 'corrupted']));
      expect(typeof x.corrupted).toBe('boolean');
    }
    expect(reports[0]).toMatchObject({ type: 'KASAN-USE-AFTER-FREE-READ', frame: 'kbug_uaf_read', corrupted: false, alternativeTitles: ['bad-access in kbug_uaf_read'] });
  });

  it('--json prints [] for a clean log', () => {
    const r = rcdebug('findings', 'parse', logFile('clean.log', 'clean-boot'), '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([]);
  });

  it('prints a readable list without --json', () => {
    const r = rcdebug('findings', 'parse', logFile('hang.log', 'kbug-hung-task'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/hang\.log: 1 report\(s\)\n {2}line 1-\d+: INFO: task hung in kbug_stuck_io \[HANG\]/);
  });

  it.each([
    ['a missing file', ['findings', 'parse', 'no-such.log', '--json'], /no-such\.log: cannot read the log \(ENOENT\)/],
    ['a directory', ['findings', 'parse', '.', '--json'], /\.: is a directory/],
    ['no file at all', ['findings', 'parse'], /missing required argument/],
  ])('exits 2 with a message naming the input for %s, and prints nothing on stdout', (_name, args, message) => {
    const r = rcdebug(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('checks every log before printing: a missing second log leaves stdout empty', () => {
    const good = logFile('good.log', 'kbug-kasan-uaf');
    const r = rcdebug('findings', 'parse', good, 'missing-too.log', '--json');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing-too.log: cannot read the log');
    expect(r.stdout).toBe('');
  });

  it('warns on stderr about an empty log and prints []', () => {
    const path = join(dir, 'empty.log');
    writeFileSync(path, '');
    const r = rcdebug('findings', 'parse', path, '--json');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`${path}: is empty`);
    expect(JSON.parse(r.stdout)).toEqual([]);
  });

  it('warns on stderr about binary input but keeps stdout a JSON array', () => {
    const path = join(dir, 'garbage.bin');
    writeFileSync(path, Buffer.from(Array.from({ length: 65536 }, (_, i) => (i * 2654435761) % 256)));
    const r = rcdebug('findings', 'parse', path, '--json');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`${path}: looks like binary data`);
    expect(Array.isArray(JSON.parse(r.stdout))).toBe(true);
  });
});

describe('rcdebug findings report', () => {
  it('writes md, json and junit reports for several nodes into --out', () => {
    const a = logFile('a.log', 'kbug-kasan-uaf', 'kbug-kmemleak');
    const b = logFile('b.log', 'kbug-kmemleak');
    const baseline = join(dir, 'known.yaml');
    writeFileSync(baseline, '- signature: memory leak in kbug_leak\n');
    const out = join(dir, 'out');
    const r = rcdebug('findings', 'report', `vm-1=${a}`, `vm-2=${b}`, '--baseline', baseline, '--format', 'md,json,junit', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    for (const f of ['findings.md', 'findings.json', 'findings.junit.xml']) expect(existsSync(join(out, f))).toBe(true);
    const json = JSON.parse(readFileSync(join(out, 'findings.json'), 'utf8')) as { counts: Record<string, number>; findings: Array<{ signature: string; nodes: string[]; status: string }> };
    expect(json.counts).toEqual({ new: 2, known: 1, fixed: 0, total: 3 });
    expect(json.findings.find((f) => f.signature === 'memory leak in kbug_leak')).toMatchObject({ status: 'known', nodes: ['vm-1', 'vm-2'] });
  });

  it.each([
    ['a malformed baseline', (b: string) => ['findings', 'report', 'x.log', '--baseline', b], /bad\.yaml:2: entry 2\.signature/],
    ['an unknown format', () => ['findings', 'report', 'x.log', '--format', 'html'], /--format html: unknown format/],
  ])('exits 2 for %s', (_name, args, message) => {
    logFile('x.log', 'kbug-hung-task');
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, '- signature: ok\n- note: no signature\n');
    const r = rcdebug(...args(bad));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
