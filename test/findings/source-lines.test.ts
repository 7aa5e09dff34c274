import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveTool } from '../../scripts/toolchain.mjs';
import { symbolizeFindings } from '../../activities/symbolize/symbolize-findings';
import type { DebugBinaries } from '../../activities/symbolize/debug-binaries';
import { parseFrameLine, renderMarkdown, type Finding, type FindingsResult } from '../../src/domain/findings/index';

// A tiny "module": victim() has helper() inlined into it; the marker comments name the lines
// the test expects, so the expectations follow the source if it is edited.
const SOURCE = `struct obj { int id; int val; };

static inline int helper(struct obj *o)
{
	return o->val * 3; /* HELPER-LINE */
}

__attribute__((noinline)) int victim(struct obj *o)
{
	int x = helper(o); /* VICTIM-CALL */
	return x + o->id;
}

int caller(struct obj *o)
{
	return victim(o) + 1;
}
`;

const lineOf = (marker: string) => SOURCE.split('\n').findIndex((l) => l.includes(marker)) + 1;

let dir: string;
let ko: string;
let victimSize: number;
let logPath: string;
let counter: string;
let countingAddr2line: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rcdebug-symbolize-'));
  writeFileSync(join(dir, 'tiny.c'), SOURCE);
  // A relocatable object with DWARF, like a module's .ko.
  ko = join(dir, 'tiny.ko');
  execFileSync('gcc', ['-g', '-O2', '-c', join(dir, 'tiny.c'), '-o', ko]);
  const nmOut = execFileSync(resolveTool('nm').path, ['-S', ko], { encoding: 'utf8' });
  victimSize = parseInt(/^[0-9a-f]+ ([0-9a-f]+) T victim$/m.exec(nmOut)![1]!, 16);
  logPath = join(dir, 'console.log');
  writeFileSync(logPath, '[    0.000000] Linux version 6.1.0-tiny (x@y) (gcc) #1 SMP\n');
  // addr2line behind a wrapper that counts its runs: the batch must be one run.
  counter = join(dir, 'runs');
  countingAddr2line = join(dir, 'addr2line');
  writeFileSync(countingAddr2line, `#!/bin/sh\necho run >> '${counter}'\nexec '${resolveTool('addr2line').path}' "$@"\n`);
  chmodSync(countingAddr2line, 0o755);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function finding(report: string, frame: string): Finding {
  return {
    signature: 'sig', title: `BUG in ${frame}`, alternativeTitles: [], type: 'BUG', frame, corrupted: false, status: 'new', count: 1,
    nodes: ['n1'], clouds: ['local'], firstSeen: { source: logPath, node: 'n1', line: 2 }, report, reproducer: {},
  };
}

function result(...findings: Finding[]): FindingsResult {
  return { findings, counts: { new: findings.length, known: 0, fixed: 0, total: findings.length }, warnings: [] };
}

const debug = (over: Partial<DebugBinaries> = {}): DebugBinaries => ({ modules: { tiny: ko }, release: '6.1.0-tiny', sourceRoots: [dir], ...over });
const hex = (n: number) => n.toString(16);

describe('source lines', () => {
  it('reads frames as the kernel prints them', () => {
    expect(parseFrameLine('  kbug_uaf_read+0x5e/0x70 [kbug]')).toMatchObject({ func: 'kbug_uaf_read', offset: 0x5en, size: 0x70n, module: 'kbug', exact: false });
    expect(parseFrameLine('RIP: 0010:do_one_initcall+0xbe/0x2f0')).toMatchObject({ func: 'do_one_initcall', module: undefined, exact: true });
    expect(parseFrameLine(' ? kbug_proc_write.cold+0x7/0xc [kbug]')?.func).toBe('kbug_proc_write.cold');
    expect(parseFrameLine('RIP: 0033:0x47fbe9')).toBeUndefined();
  });

  it('resolves every frame of a module in one addr2line run, with the inlined function on its own line', async () => {
    // Every return address inside victim, plus the faulting instruction at its start.
    const frames = Array.from({ length: victimSize - 1 }, (_, i) => ` victim+0x${hex(i + 1)}/0x${hex(victimSize)} [tiny]`);
    const report = [`RIP: 0010:victim+0x0/0x${hex(victimSize)} [tiny]`, 'Call Trace:', ...frames, ' other_fn+0x10/0x40 [elsewhere]'].join('\n');
    rmSync(counter, { force: true });
    const out = await symbolizeFindings(result(finding(report, 'victim')), debug(), { addr2line: countingAddr2line });
    expect(readFileSync(counter, 'utf8').trim().split('\n')).toHaveLength(1);
    const f = out.findings[0]!;
    const lines = f.report.split('\n');
    // The line that calls the inlined helper, and the helper itself above it.
    const callIdx = lines.findIndex((l) => new RegExp(`victim\\+0x[0-9a-f]+/0x${hex(victimSize)} \\[tiny\\] tiny\\.c:${lineOf('VICTIM-CALL')}$`).test(l));
    expect(callIdx).toBeGreaterThan(0);
    expect(lines.some((l) => l === ` helper tiny.c:${lineOf('HELPER-LINE')} [inlined]`)).toBe(true);
    // A module not at hand keeps its raw frame.
    expect(lines).toContain(' other_fn+0x10/0x40 [elsewhere]');
    // The guilty frame (the first victim frame) carries a line of victim, with its text.
    const victimLines = [lineOf('__attribute__((noinline)) int victim'), lineOf('VICTIM-CALL'), lineOf('return x + o->id')];
    expect(f.source?.file).toBe('tiny.c');
    expect(victimLines.concat(lineOf('HELPER-LINE'))).toContain(f.source?.line);
    expect(f.source?.text).toBe(SOURCE.split('\n')[f.source!.line - 1]);
    expect(out.sourceLines).toMatch(/^Source lines: \d+ of \d+ frame\(s\) resolved with addr2line from tiny\.ko \(6\.1\.0-tiny\)\.$/);
    expect(out.warnings).toEqual([]);
    const md = renderMarkdown(out);
    expect(md).toContain(`- **Source:** \`tiny.c:${f.source!.line}\``);
    expect(md).toContain(out.sourceLines!);
  });

  it('gives no lines, only a warning, for a binary whose sizes do not match the console', async () => {
    const report = ` victim+0x3/0x${hex(victimSize - 8)} [tiny]\n nothere+0x3/0x10 [tiny]`;
    const out = await symbolizeFindings(result(finding(report, 'victim')), debug());
    expect(out.findings[0]!.report).toBe(report);
    expect(out.findings[0]!.source).toBeUndefined();
    expect(out.warnings).toEqual([expect.stringMatching(/tiny\.ko does not match the console for 2 of 2 frame\(s\) \(victim\+0x3\/0x[0-9a-f]+, nothere\+0x3\/0x10\)/)]);
  });

  it('gives no lines for a console that booted another release than the binaries', async () => {
    const report = ` victim+0x3/0x${hex(victimSize)} [tiny]`;
    const out = await symbolizeFindings(result(finding(report, 'victim')), debug({ release: '6.1.99' }));
    expect(out.findings[0]!.report).toBe(report);
    expect(out.findings[0]!.source).toBeUndefined();
    expect(out.warnings).toEqual([`${logPath}: the console booted Linux 6.1.0-tiny but the debug binaries are of 6.1.99: its frames keep no source lines`]);
  });

  it('keeps raw frames and says why when the symbolizer is missing or the cloud has no binaries', async () => {
    const report = ` victim+0x3/0x${hex(victimSize)} [tiny]`;
    const missing = await symbolizeFindings(result(finding(report, 'victim')), debug(), { addr2line: join(dir, 'no-such-addr2line') });
    expect(missing.findings[0]!.report).toBe(report);
    expect(missing.sourceLines).toMatch(/^Source lines: none, frames are raw: .*no-such-addr2line was not found/);
    expect(renderMarkdown(missing)).toContain(missing.sourceLines!);
    const none = await symbolizeFindings(result(finding(report, 'victim')), { unavailable: 'the aws cloud keeps no debug binaries' });
    expect(none.findings[0]!.report).toBe(report);
    expect(none.sourceLines).toBe('Source lines: none, frames are raw: the aws cloud keeps no debug binaries.');
  });
});
