import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUserError } from '../../src/domain/errors';
import { loadBaseline, parseBaseline } from '../../src/domain/findings/baseline';
import { buildFindings, countFindings } from '../../src/domain/findings/finding';
import { parseKernelLog } from '../../src/domain/findings/parse-log';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rcdebug-baseline-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parseBaseline', () => {
  it('reads a list of known issues, normalising signatures and defaulting the status', () => {
    const entries = parseBaseline(
      [
        '# known issues of the kbug module',
        '- signature: "KASAN: use-after-free Read in kbug_uaf_read+0x4c/0x60"',
        '  link: https://bugs.example.com/1',
        '- signature: memory leak in kbug_leak',
        '  status: wontfix',
        '  note: leaks on purpose',
      ].join('\n'),
      'known.yaml',
    );
    expect(entries).toEqual([
      { signature: 'KASAN: use-after-free Read in kbug_uaf_read', status: 'open', link: 'https://bugs.example.com/1', where: 'known.yaml:2' },
      { signature: 'memory leak in kbug_leak', status: 'wontfix', note: 'leaks on purpose', where: 'known.yaml:4' },
    ]);
  });

  it('accepts the list under an issues: key, and an empty file', () => {
    expect(parseBaseline('issues:\n  - signature: WARNING in foo\n', 'b.yaml').map((e) => e.where)).toEqual(['b.yaml:2']);
    expect(parseBaseline('', 'empty.yaml')).toEqual([]);
  });

  it.each([
    ['not YAML', '- signature: [unclosed\n', /^b\.yaml:\d: not valid YAML/],
    ['a scalar', 'hello\n', /^b\.yaml:1: expected a list of known issues/],
    ['a map without issues', 'known:\n  - x\n', /^b\.yaml:1: expected a list of known issues, or an `issues:` key/],
    ['a missing signature', '- signature: WARNING in a\n- link: x\n', /^b\.yaml:2: entry 2\.signature: /],
    ['an empty signature', '- signature: "  "\n', /^b\.yaml:1: entry 1\.signature: must be a non-empty/],
    ['an unknown status', '- signature: WARNING in a\n  status: maybe\n', /^b\.yaml:1: entry 1\.status: /],
    ['an unknown key', '- signature: WARNING in a\n  severity: high\n', /^b\.yaml:1: entry 1: .*severity/],
    ['a duplicate', '- signature: WARNING in kbug_a+0x1/0x2\n- signature: WARNING in kbug_a\n', /^b\.yaml:2: entry 2: signature "WARNING in kbug_a" is already listed at line 1/],
  ])('rejects %s with the file and line', (_name, text, message) => {
    let err: unknown;
    try {
      parseBaseline(text, 'b.yaml');
    } catch (e) {
      err = e;
    }
    expect(isUserError(err), String(err)).toBe(true);
    expect((err as Error).message).toMatch(message);
  });

  it('names a missing baseline file', async () => {
    const missing = join(dir, 'nope.yaml');
    await expect(loadBaseline(missing)).rejects.toThrow(missing);
  });
});

describe('buildFindings', () => {
  const log = (lines: string[]) => parseKernelLog(lines.join('\n'));
  const leak = log([
    'unreferenced object 0xffff888003b4c100 (size 64):',
    '  backtrace:',
    '    [<000000003c5b7b6a>] kmalloc_trace+0x26/0x90',
    '    [<00000000a1f5e2b4>] kbug_leak+0x1a/0x40 [kbug]',
  ]);
  const warn = log([
    '[ 1.0] WARNING: CPU: 0 PID: 1 at drivers/kbug/kbug.c:42 kbug_warn+0x1/0x2 [kbug]',
    '[ 1.0] RIP: 0010:kbug_warn+0x1/0x2 [kbug]',
    '[ 1.0] Call Trace:',
    '[ 1.0]  kbug_warn+0x1/0x2 [kbug]',
    '[ 1.0]  kthread+0xe6/0x110',
  ]);
  it('groups by signature, counts, and classifies new / known / fixed', () => {
    expect(leak.map((r) => r.title)).toEqual(['memory leak in kbug_leak']);
    expect(warn.map((r) => r.title)).toEqual(['WARNING in kbug_warn']);
    const baseline = parseBaseline(
      ['- signature: memory leak in kbug_leak', '- signature: possible deadlock in kbug_lock_ab', '  link: https://bugs/2', '- signature: WARNING in kbug_old', '  status: fixed'].join('\n'),
      'known.yaml',
    );
    const findings = buildFindings(
      [
        { report: leak[0]!, source: { path: 'a.log', node: 'node-1', cloud: 'local' } },
        { report: warn[0]!, source: { path: 'a.log', node: 'node-1', cloud: 'local' } },
        { report: leak[0]!, source: { path: 'b.log', node: 'node-2', cloud: 'aws', artifact: 's3://logs/b.log' } },
        { report: warn[0]!, source: { path: 'c.log', node: 'node-3', cloud: 'aws' } },
      ],
      baseline,
      { kernelDigest: 'sha256:abc', moduleVersion: '1.2.3' },
    );
    expect(findings.map((f) => [f.status, f.signature, f.count, f.nodes, f.clouds])).toEqual([
      ['new', 'WARNING in kbug_warn', 2, ['node-1', 'node-3'], ['local', 'aws']],
      ['known', 'memory leak in kbug_leak', 2, ['node-1', 'node-2'], ['local', 'aws']],
      ['fixed', 'possible deadlock in kbug_lock_ab', 0, [], []],
    ]);
    const known = findings[1]!;
    expect(known.firstSeen).toEqual({ source: 'a.log', node: 'node-1', cloud: 'local', line: 1 });
    expect(known.lastSeen).toEqual({ source: 'b.log', node: 'node-2', cloud: 'aws', line: 1 });
    expect(known.reproducer).toEqual({ kernelDigest: 'sha256:abc', moduleVersion: '1.2.3', node: 'node-1', logArtifact: 'a.log' });
    expect(findings[2]!.baseline?.link).toBe('https://bugs/2');
    expect(countFindings(findings)).toEqual({ new: 1, known: 1, fixed: 1, total: 3 });
  });

  it('treats a bug marked fixed in the baseline that shows up again as new (a regression)', () => {
    const baseline = parseBaseline('- signature: WARNING in kbug_warn\n  status: fixed\n', 'b.yaml');
    const [f] = buildFindings([{ report: warn[0]!, source: { path: 'a.log', node: 'n' } }], baseline);
    expect(f).toMatchObject({ status: 'new', baseline: { status: 'fixed', where: 'b.yaml:1' } });
  });

  it('matches a baseline entry written with an alternative title', () => {
    const [gpf] = log([
      'general protection fault: 0000 [#1] SMP KASAN',
      'RIP: 0010:kbug_gpf+0x11/0x30 [kbug]',
      'Call Trace:',
      ' kbug_thread_fn+0x3a/0x80 [kbug]',
    ]);
    expect(gpf!.alternativeTitles).toContain('bad-access in kbug_gpf');
    const baseline = parseBaseline('- signature: bad-access in kbug_gpf\n', 'b.yaml');
    expect(buildFindings([{ report: gpf!, source: { path: 'a.log', node: 'n' } }], baseline).map((f) => f.status)).toEqual(['known']);
  });
});
