import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { addExecution } from '../../src/app/client/findings-history';
import { parseBaseline } from '../../src/domain/findings/baseline';
import { HistoryBuilder, findingsHistory, type ClosedCycle } from '../../src/domain/findings/history';
import { renderHistoryBaseline } from '../../src/domain/findings/history-baseline';
import { renderHistoryHtml } from '../../src/domain/findings/history-html';

const UAF = 'KASAN: use-after-free Read in kbug_uaf_read';
const LEAK = 'memory leak in kbug_leak';
const DEADLOCK = 'possible deadlock in kbug_lock_b';

/** A cloud cycle of run `id` (night `day` of November, or an ISO time), seeing `sigs`. */
function cycle(id: string, rc: string, day: number | string, sigs: string[], cloud = 'local', flavor = 'kasan'): ClosedCycle {
  return {
    cycleId: id,
    rc,
    cloud,
    flavor,
    startedAt: typeof day === 'string' ? day : `2026-11-${String(day).padStart(2, '0')}T02:00:0${cloud === 'local' ? 0 : 1}.000Z`,
    findings: sigs.map((s) => ({ signature: s, title: s, type: 'test' })),
  };
}

// Five nights, given out of order (a visibility listing has no order to rely on).
const NIGHTS: ClosedCycle[] = [
  cycle('run-4', 'v1.1.0-rc1', 4, [DEADLOCK]),
  cycle('run-1', 'v1.0.0-rc1', 1, [UAF, LEAK]),
  cycle('run-3', 'v1.0.0-rc2', 3, [LEAK]),
  cycle('run-2', 'v1.0.0-rc1', 2, [UAF, LEAK]),
  cycle('run-5', 'v1.1.0-rc1', 5, [DEADLOCK, LEAK]),
];

describe('findings history', () => {
  it('orders the runs by night and gives each signature its first and last sighting and the runs it appeared in', () => {
    const h = findingsHistory(NIGHTS);
    expect(h.runs.map((r) => r.cycleId)).toEqual(['run-1', 'run-2', 'run-3', 'run-4', 'run-5']);
    expect(h.rcs).toEqual(['v1.0.0-rc1', 'v1.0.0-rc2', 'v1.1.0-rc1']);
    // By first sighting, then by signature.
    expect(h.signatures.map((s) => s.signature)).toEqual([UAF, LEAK, DEADLOCK]);
    const leak = h.signatures.find((s) => s.signature === LEAK);
    expect(leak?.firstSeen).toEqual({ rc: 'v1.0.0-rc1', cycleId: 'run-1', date: '2026-11-01T02:00:00.000Z', clouds: ['local/kasan'] });
    expect(leak?.lastSeen).toMatchObject({ rc: 'v1.1.0-rc1', cycleId: 'run-5' });
    // Absent in run-4 but back in run-5: it never stopped.
    expect(leak?.cycles).toEqual(['run-1', 'run-2', 'run-3', 'run-5']);
    expect(leak?.runIndexes).toEqual([0, 1, 2, 4]);
    expect(leak?.stoppedIn).toBeUndefined();
    expect(leak?.absentFor).toBe(0);
  });

  it('names the release candidate where a signature stopped appearing, not a later run of the same rc', () => {
    const h = findingsHistory(NIGHTS);
    const uaf = h.signatures.find((s) => s.signature === UAF);
    expect(uaf?.stoppedIn).toBe('v1.0.0-rc2');
    expect(uaf?.stoppedAtRun).toBe(2);
    expect(uaf?.absentFor).toBe(3);
    // Last seen in the last run: still appearing.
    const deadlock = h.signatures.find((s) => s.signature === DEADLOCK);
    expect([deadlock?.stoppedIn, deadlock?.absentFor]).toEqual([undefined, 0]);
    // Missing from a later run of the same rc only: absent, but it did not stop in a release candidate.
    const sameRc = findingsHistory([cycle('a', 'v2.0.0-rc1', 1, [UAF]), cycle('b', 'v2.0.0-rc1', 2, [])]);
    expect([sameRc.signatures[0]?.stoppedIn, sameRc.signatures[0]?.absentFor]).toEqual([undefined, 1]);
  });

  it('counts only runs on a cloud and flavor where the signature appeared as evidence that it stopped', () => {
    const h = findingsHistory([
      cycle('r1', 'v1.0.0-rc1', 1, [UAF], 'aws', 'kasan'),
      cycle('r1', 'v1.0.0-rc1', 1, [], 'local', 'kasan'),
      cycle('r2', 'v1.0.0-rc2', 2, [], 'local', 'kasan'),
      cycle('r3', 'v1.0.0-rc3', 3, [], 'aws', 'kasan'),
    ]);
    const uaf = h.signatures[0];
    expect(uaf?.firstSeen.clouds).toEqual(['aws/kasan']);
    // rc2 ran on local only, so the first rc without it on aws is rc3.
    expect(uaf).toMatchObject({ stoppedIn: 'v1.0.0-rc3', stoppedAtRun: 2, absentFor: 1 });
    expect(h.runs[0]).toMatchObject({ cycleId: 'r1', clouds: ['aws/kasan', 'local/kasan'], date: '2026-11-01T02:00:00.000Z' });
  });

  it('--rc and --since keep only the matching cycles', () => {
    const byRc = findingsHistory(NIGHTS, { rc: 'v1.0.0-rc1' });
    expect(byRc.runs.map((r) => r.cycleId)).toEqual(['run-1', 'run-2']);
    expect(byRc.signatures.map((s) => s.signature)).toEqual([UAF, LEAK]);
    const since = findingsHistory(NIGHTS, { since: new Date('2026-11-03T00:00:00Z') });
    expect(since.runs.map((r) => r.cycleId)).toEqual(['run-3', 'run-4', 'run-5']);
    expect(since.signatures.map((s) => s.signature)).toEqual([LEAK, DEADLOCK]);
    expect(since.signatures[0]?.firstSeen.cycleId).toBe('run-3');
    const both = findingsHistory(NIGHTS, { rc: 'v1.1.0-rc1', since: new Date('2026-11-05T00:00:00Z') });
    expect(both.runs.map((r) => r.cycleId)).toEqual(['run-5']);
    expect(findingsHistory(NIGHTS, { rc: 'v9.0.0' })).toMatchObject({ runs: [], signatures: [], cycles: 0 });
  });

  it('reads a closed cycle from its memo: log-harvest findings, not those the baseline lists as fixed; no harvest is no sighting', () => {
    const b = new HistoryBuilder();
    const state = (steps: unknown[]) => ({ state: { cycleId: 'rc-1', rc: 'v1.0.0-rc1', cloud: 'local', flavor: 'kasan', steps } });
    const harvest = {
      name: 'log-harvest',
      status: 'succeeded',
      output: {
        findings: [
          { title: UAF, signature: UAF, status: 'known', type: 'KASAN', nodes: ['n'], count: 2, source: 'kbug.c:72' },
          { title: LEAK, signature: LEAK, status: 'fixed', type: 'LEAK', nodes: [], count: 0 },
        ],
      },
    };
    // The run is the child's parent: from the listing, or from the child's own id.
    addExecution(b, { workflowId: 'rc-1.local-kasan', startTime: new Date('2026-11-01T02:00:00Z'), memo: { state: { ...state([harvest]).state, cycleId: 'rc-1.local-kasan' } } });
    addExecution(b, { workflowId: 'rc-2.local-kasan', startTime: new Date('2026-11-02T02:00:00Z'), memo: { state: { ...state([]).state, cycleId: 'rc-2', steps: [{ ...harvest, status: 'failed', output: undefined }] } } });
    addExecution(b, { workflowId: 'other', startTime: new Date('2026-11-02T02:00:00Z'), memo: {} });
    const h = b.build();
    expect(h.signatures.map((s) => [s.signature, s.source])).toEqual([[UAF, 'kbug.c:72']]);
    expect(h).toMatchObject({ cycles: 2, withoutHarvest: 1 });
    expect(h.runs.map((r) => r.cycleId)).toEqual(['rc-1']);
  });

  it('computes the history of thousands of runs, in order, quickly', () => {
    const runs = 6000;
    const b = new HistoryBuilder();
    // Given newest first, as a listing may: a leak on every night, a bug that stops at rc 40, one on every 7th night.
    for (let i = runs - 1; i >= 0; i--) {
      const rc = `v1.${Math.floor(i / 100)}.0-rc1`;
      const sigs = [LEAK, ...(i < 4000 ? [UAF] : []), ...(i % 7 === 0 ? [DEADLOCK] : [])];
      b.add(cycle(`run-${String(i).padStart(5, '0')}`, rc, new Date(Date.UTC(2026, 0, 1) + i * 86_400_000).toISOString(), sigs));
    }
    const t0 = performance.now();
    const h = b.build();
    const ms = performance.now() - t0;
    expect(h.runs).toHaveLength(runs);
    expect(h.runs[0]?.cycleId).toBe('run-00000');
    expect(h.runs.at(-1)?.cycleId).toBe('run-05999');
    expect(h.rcs).toHaveLength(60);
    const uaf = h.signatures.find((s) => s.signature === UAF);
    expect(uaf).toMatchObject({ stoppedIn: 'v1.40.0-rc1', stoppedAtRun: 4000, absentFor: 2000 });
    expect(uaf?.lastSeen.cycleId).toBe('run-03999');
    expect(h.signatures.find((s) => s.signature === DEADLOCK)?.cycles).toHaveLength(Math.ceil(runs / 7));
    expect(ms).toBeLessThan(2000);
    // The page renders every run and every sighting.
    const html = renderHistoryHtml(h);
    expect(html.match(/<circle class="mark"/g)).toHaveLength(runs + 4000 + Math.ceil(runs / 7));
  });

  it('reads thousands of listed cycles with large memos in bounded memory', () => {
    // A child process with a small heap reads 3000 cycles of ~300 KiB of memo each (900 MiB if kept).
    const script = `
      import { readFindingsHistory } from './src/app/client/findings-history';
      async function* list() {
        for (let i = 0; i < 3000; i++) {
          const steps = [{ name: 'soak', status: 'succeeded', output: { log: Buffer.alloc(300 * 1024, String(i)).toString() } },
            { name: 'log-harvest', status: 'succeeded', output: { findings: [{ signature: 'memory leak in f' + (i % 5), title: 't', type: 'LEAK', status: 'new', nodes: [], count: 1 }] } }];
          yield { workflowId: 'c' + i, startTime: new Date(Date.UTC(2020, 0, 1) + i * 3600000), memo: { state: { cycleId: 'run' + i, rc: 'v1.' + Math.floor(i / 100) + '.0', cloud: 'local', flavor: 'kasan', steps } } };
        }
      }
      const client = { workflow: { list: () => list() } };
      const h = await readFindingsHistory(client, {});
      console.log(JSON.stringify({ runs: h.runs.length, sigs: h.signatures.length }));
    `;
    const r = spawnSync(process.execPath, ['--max-old-space-size=96', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', cwd: process.cwd(), timeout: 110_000 });
    expect(r.stderr).not.toMatch(/heap out of memory/);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ runs: 3000, sigs: 5 });
  });
});

describe('the history page and the baseline', () => {
  it('escapes every text of the cycles in the page', () => {
    const evil = `<script>alert(1)</script> in "f" & <img src=x onerror=alert(2)>`;
    const html = renderHistoryHtml(findingsHistory([cycle('r"1<', 'v1.0.0-rc1', 1, [evil]), cycle('r2', 'v1.0.0-rc2', 2, [])]));
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).not.toMatch(/data-cycle="r"1/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; in &quot;f&quot; &amp; &lt;img');
    // Nothing from elsewhere: no URL but the SVG namespace.
    expect(html.match(/(https?:)?\/\/[^\s"'<]+/g)).toEqual(['http://www.w3.org/2000/svg']);
    expect(html).toContain('stopped in v1.0.0-rc2');
  });

  it('writes a baseline the cycle reads: still appearing open, stopped fixed, a team’s links, notes and wontfix kept', () => {
    const h = findingsHistory(NIGHTS);
    const before = parseBaseline(
      [
        `- signature: "${UAF}"`,
        '  link: https://bugs.example.com/1',
        `- signature: "${DEADLOCK}"`,
        '  status: wontfix',
        '  note: a lockdep false positive',
        '- signature: "INFO: task hung in kbug_wait"',
        '  status: fixed',
      ].join('\n'),
      'old.yaml',
    );
    const text = renderHistoryBaseline(h, before);
    const entries = parseBaseline(text, 'new.yaml').map(({ where: _where, ...e }) => e);
    expect(entries).toEqual([
      { signature: UAF, status: 'fixed', link: 'https://bugs.example.com/1', note: expect.stringMatching(/^first seen v1\.0\.0-rc1 2026-11-01 \(run-1\), last seen v1\.0\.0-rc1 2026-11-02, in 2 run\(s\), stopped in v1\.0\.0-rc2$/) },
      { signature: LEAK, status: 'open', note: expect.stringMatching(/in 4 run\(s\)$/) },
      { signature: DEADLOCK, status: 'wontfix', note: 'a lockdep false positive' },
      { signature: 'INFO: task hung in kbug_wait', status: 'fixed' },
    ]);
    // Written again from its own output: the same file.
    expect(renderHistoryBaseline(h, parseBaseline(text, 'new.yaml'))).toBe(text);
  });
});
