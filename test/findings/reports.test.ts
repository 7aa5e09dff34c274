/**
 * The three report formats from one multi-log, multi-node, multi-cloud example, the JUnit
 * file checked against a JUnit XML schema with xmllint.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeLogs, renderJson, renderJunit, renderMarkdown, type FindingsResult } from '../../src/domain/findings/index';
import { repoRoot } from '../../src/domain/paths';
import { readGolden } from './golden-file';

const fixtures = resolve(repoRoot, 'test/fixtures/findings');
let dir: string;
let result: FindingsResult;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rcdebug-reports-'));
  const log = (name: string, ...fixtureNames: string[]) => {
    const path = join(dir, name);
    writeFileSync(path, fixtureNames.map((f) => readGolden(join(fixtures, f)).log).join('\n'));
    return path;
  };
  writeFileSync(
    join(dir, 'baseline.yaml'),
    [
      '- signature: memory leak in kbug_leak',
      '  link: https://bugs.example.com/7',
      '  note: planted leak <on purpose> & "known"',
      '- signature: WARNING in kbug_gone',
    ].join('\n'),
  );
  result = await analyzeLogs(
    [
      { path: log('local-node-1.log', 'kbug-kasan-uaf', 'kbug-kmemleak'), node: 'vm-1', cloud: 'local', artifact: 'file:///artifacts/vm-1.log' },
      { path: log('local-node-2.log', 'kbug-kmemleak', 'kbug-deadlock'), node: 'vm-2', cloud: 'local' },
      { path: log('aws-node-1.log', 'kbug-kasan-uaf', 'kbug-hung-task'), node: 'ip-10-0-0-1', cloud: 'aws', artifact: 's3://rcdebug/ip-10-0-0-1.log' },
      { path: log('aws-node-2.log', 'clean-boot'), node: 'ip-10-0-0-2', cloud: 'aws' },
    ],
    {
      baseline: join(dir, 'baseline.yaml'),
      reproducer: { kernelDigest: 'sha256:1234', imageId: 'ami-0abc', moduleVersion: 'kbug 1.4.0-rc2', commands: ['rcdebug rerun cycle-1 --step soak'] },
    },
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('analyzeLogs', () => {
  it('deduplicates across nodes and clouds and compares with the baseline', () => {
    expect(result.counts).toEqual({ new: 4, known: 1, fixed: 1, total: 6 });
    const uaf = result.findings.find((f) => f.signature === 'KASAN: use-after-free Read in kbug_uaf_read')!;
    expect(uaf).toMatchObject({ status: 'new', count: 2, nodes: ['vm-1', 'ip-10-0-0-1'], clouds: ['local', 'aws'] });
    expect(uaf.reproducer).toMatchObject({ kernelDigest: 'sha256:1234', imageId: 'ami-0abc', node: 'vm-1', logArtifact: 'file:///artifacts/vm-1.log' });
    expect(uaf.report).toContain('BUG: KASAN: use-after-free in kbug_uaf_read');
    expect(result.findings.find((f) => f.status === 'known')).toMatchObject({ signature: 'memory leak in kbug_leak', count: 2, nodes: ['vm-1', 'vm-2'] });
    expect(result.findings.find((f) => f.status === 'fixed')?.signature).toBe('WARNING in kbug_gone');
  });
});

describe('analyzeLogs on a storm', () => {
  it('counts thousands of reports of one bug as one finding', async () => {
    const path = join(dir, 'storm.log');
    writeFileSync(path, readGolden(join(fixtures, 'kbug-kmemleak')).log.repeat(5000));
    const r = await analyzeLogs([{ path, node: 'vm-storm' }]);
    expect(r.findings.map((f) => [f.signature, f.count])).toEqual([
      ['memory leak in kbug_leak', 5000],
      ['memory leak in kbug_worker_stash', 5000],
    ]);
    expect(r.findings[0]!.lastSeen!.line).toBeGreaterThan(r.findings[0]!.firstSeen!.line);
  });
});

describe('renderers', () => {
  it('writes Markdown with the summary table first, then every finding with its reproducer and report', () => {
    const md = renderMarkdown(result, { title: 'kbug 1.4.0-rc2' });
    const table = md.indexOf('| # | status | title |');
    expect(md.startsWith('# kbug 1.4.0-rc2\n')).toBe(true);
    expect(table).toBeGreaterThan(0);
    expect(table).toBeLessThan(md.indexOf('## Findings'));
    expect(md).toContain('| new | KASAN: use-after-free Read in kbug_uaf_read | KASAN-USE-AFTER-FREE-READ | 2 | vm-1, ip-10-0-0-1 | local, aws |');
    expect(md).toContain('- kernel digest: `sha256:1234`');
    expect(md).toContain('rcdebug rerun cycle-1 --step soak');
    expect(md).toContain('- **Link:** https://bugs.example.com/7');
    expect(md).toContain('BUG: KASAN: use-after-free in kbug_uaf_read+0x4c/0x60 [kbug]');
  });

  it('writes JSON that round-trips to the result', () => {
    const parsed = JSON.parse(renderJson(result)) as FindingsResult;
    expect(parsed.counts).toEqual(result.counts);
    expect(parsed.findings.map((f) => [f.signature, f.status])).toEqual(result.findings.map((f) => [f.signature, f.status]));
    expect(renderJson(result)).toBe(renderJson(result));
  });

  it('writes JUnit XML with one failing case per new finding, valid against the JUnit schema', () => {
    const xml = renderJunit(result, { suiteName: 'rcdebug.kbug' });
    expect(xml.match(/<failure /g)).toHaveLength(result.counts.new + 1);
    expect(xml).toContain('&lt;on purpose&gt; &amp; &quot;known&quot;');
    const file = join(dir, 'findings.junit.xml');
    writeFileSync(file, xml);
    const out = execFileSync('xmllint', ['--noout', '--schema', join(fixtures, 'junit.xsd'), file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out).toBe('');
  });

  it('writes valid JUnit XML for a clean run (one passing case) and rejects broken XML with the schema', () => {
    const clean = renderJunit({ findings: [], counts: { new: 0, known: 0, fixed: 0, total: 0 }, warnings: [] });
    const file = join(dir, 'clean.junit.xml');
    writeFileSync(file, clean);
    execFileSync('xmllint', ['--noout', '--schema', join(fixtures, 'junit.xsd'), file], { stdio: 'pipe' });
    expect(clean).not.toContain('<failure');
    writeFileSync(file, clean.replace('tests="1"', 'tests="one"'));
    expect(() => execFileSync('xmllint', ['--noout', '--schema', join(fixtures, 'junit.xsd'), file], { stdio: 'pipe' })).toThrow();
  });

  it('escapes control characters and markup from report text in JUnit and Markdown', () => {
    const nasty = { ...result, findings: result.findings.map((f) => ({ ...f, title: `${f.title} </testcase>\u0001`, report: '```\n<x>&\u0007' })) };
    const file = join(dir, 'nasty.junit.xml');
    writeFileSync(file, renderJunit(nasty));
    execFileSync('xmllint', ['--noout', '--schema', join(fixtures, 'junit.xsd'), file], { stdio: 'pipe' });
    expect(renderMarkdown(nasty)).toContain('````\n```\n<x>&');
  });
});
