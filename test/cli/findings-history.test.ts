/**
 * `rcdebug findings history` against real closed cycles: a dev server of its own (so no other
 * test's cycles are in its listing), four nightly runs of scripted cycles with chosen findings
 * over three release candidates, the CLI spawned as a process, and its HTML page opened in
 * headless Chromium.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cycleResult, startCycle } from '../../src/app/client/cycles';
import { startDevServer, type DevServer } from '../../src/app/dev-server';
import { parseBaseline } from '../../src/domain/findings/baseline';
import { signatureOf } from '../../src/domain/findings/signature';
import type { FindingsHistory } from '../../src/domain/findings/history';
import { decodePng, withChromium } from '../support/chromium';
import { rcdebugAt } from '../support/cli-process';
import { uniqueQueue, withWorkers } from '../support/engine';
import { UAF_CONSOLE, UAF_TITLE } from '../support/live-consoles';
import { scriptedProvider } from '../support/scripted-provider';

const LEAK = 'memory leak in kbug_leak';
const DEADLOCK = 'possible deadlock in kbug_lock_b';
/** A title no page may run or break on. */
const HOSTILE = `WARNING in "f" <img src=x onerror="window.pwned=1"> & <script>window.pwned=2</script>`;

/** The nightly runs, in the order they are started: rc and the findings its harvest reports. */
const NIGHTS: Array<{ rc: string; findings: string[] }> = [
  { rc: 'v7.0.0-rc1', findings: [UAF_TITLE, LEAK] },
  { rc: 'v7.0.0-rc1', findings: [UAF_TITLE, LEAK, HOSTILE] },
  { rc: 'v7.0.0-rc2', findings: [LEAK] },
  { rc: 'v7.1.0-rc1', findings: [LEAK, DEADLOCK] },
];

let server: DevServer;
let dir: string;
const ids: string[] = [];

const history = (...args: string[]) => rcdebugAt(server.address, 'findings', 'history', ...args);

async function historyJson(...args: string[]): Promise<FindingsHistory> {
  const r = await history('--json', ...args);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as FindingsHistory;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rcdebug-history-'));
  server = await startDevServer({ logFile: join(dir, 'temporal.log'), uiPort: false });
  const taskQueue = uniqueQueue('history');
  let night = 0;
  const local = scriptedProvider({ newFindings: () => NIGHTS[night]?.findings ?? [] });
  const client = new Client({ connection: await Connection.connect({ address: server.address }), namespace: 'default' });
  await withWorkers({ taskQueue, clouds: ['local'], providers: { local }, address: server.address }, async () => {
    // One after the other, as nights are: each run starts after the previous one closed.
    for (night = 0; night < NIGHTS.length; night++) {
      const { workflowId } = await startCycle(client, { rc: (NIGHTS[night] as { rc: string }).rc, taskQueue, soak: { durationSeconds: 0 } });
      await cycleResult(client, workflowId);
      ids.push(workflowId);
    }
  });
  await client.connection.close();
}, 600_000);

afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('rcdebug findings history', () => {
  it('--json: per signature the first and last run, the runs it appeared in and the rc where it stopped, read over pages of the listing', async () => {
    // Two cycles a page: the four runs come from two pages of the visibility listing.
    const h = await historyJson('--page-size', '2');
    expect(h.runs.map((r) => r.cycleId)).toEqual(ids);
    expect(h.rcs).toEqual(['v7.0.0-rc1', 'v7.0.0-rc2', 'v7.1.0-rc1']);
    expect(h.signatures.map((s) => s.signature)).toEqual([UAF_TITLE, LEAK, HOSTILE, DEADLOCK]);
    const [uaf, leak, hostile, deadlock] = h.signatures;
    expect(uaf).toMatchObject({ cycles: [ids[0], ids[1]], stoppedIn: 'v7.0.0-rc2', absentFor: 2 });
    expect(uaf?.firstSeen).toMatchObject({ rc: 'v7.0.0-rc1', cycleId: ids[0], clouds: ['local/kasan'], date: h.runs[0]?.date });
    expect(uaf?.lastSeen).toMatchObject({ rc: 'v7.0.0-rc1', cycleId: ids[1] });
    expect(leak?.cycles).toEqual(ids);
    expect(leak?.stoppedIn).toBeUndefined();
    expect(hostile).toMatchObject({ cycles: [ids[1]], stoppedIn: 'v7.0.0-rc2' });
    expect(deadlock).toMatchObject({ cycles: [ids[3]], absentFor: 0 });
    // Dates are the nights' own, in order.
    const dates = h.runs.map((r) => Date.parse(r.date));
    expect([...dates].sort((a, b) => a - b)).toEqual(dates);
  });

  it('--rc and --since keep only the matching cycles, on the server and in the history', async () => {
    const rc1 = await historyJson('--rc', 'v7.0.0-rc1');
    expect(rc1.runs.map((r) => r.cycleId)).toEqual(ids.slice(0, 2));
    expect(rc1.signatures.map((s) => [s.signature, s.stoppedIn])).toEqual([[UAF_TITLE, undefined], [LEAK, undefined], [HOSTILE, undefined]]);
    const all = await historyJson();
    const since = await historyJson('--since', all.runs[2]?.date as string);
    expect(since.runs.map((r) => r.cycleId)).toEqual(ids.slice(2));
    expect(since.signatures.map((s) => s.signature)).toEqual([LEAK, DEADLOCK]);
    const none = await historyJson('--since', '2999-01-01');
    expect(none).toMatchObject({ runs: [], signatures: [], cycles: 0 });
  });

  it('prints a table; --write-baseline writes a baseline the findings engine reads: stopped = fixed, so its return is new again', async () => {
    const baseline = join(dir, 'known-issues.yaml');
    const r = await history('--write-baseline', baseline);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/4 run\(s\) of v7\.0\.0-rc1, v7\.0\.0-rc2, v7\.1\.0-rc1; 4 signature\(s\)/);
    expect(r.stdout).toMatch(/KASAN: use-after-free Read in kbug_uaf_read\s+│[^\n]*│[^\n]*│ 2\s+│ v7\.0\.0-rc2/);
    expect(r.stderr).toBe(`wrote ${baseline}\n`);
    const entries = parseBaseline(readFileSync(baseline, 'utf8'), baseline);
    // Read back, a signature is normalised (the scripted cycles report raw titles as signatures).
    expect(entries.map((e) => [e.signature, e.status])).toEqual([[UAF_TITLE, 'fixed'], [LEAK, 'open'], [signatureOf(HOSTILE), 'fixed'], [DEADLOCK, 'open']]);
    // The engine the cycle uses, on a console with the use-after-free back: a regression (new); the leak not seen: fixed.
    const log = join(dir, 'node-a.log');
    writeFileSync(log, UAF_CONSOLE);
    const report = await rcdebugAt(server.address, 'findings', 'report', `node-a=${log}`, '--baseline', baseline, '--format', 'json');
    expect(report.code).toBe(0);
    const findings = (JSON.parse(report.stdout) as { findings: Array<{ signature: string; status: string }> }).findings;
    expect(findings.find((f) => f.signature === UAF_TITLE)?.status).toBe('new');
    expect(findings.find((f) => f.signature === LEAK)?.status).toBe('fixed');
  });

  it('--html writes a page that headless Chromium draws as a timeline: a row per signature, a mark per run in nightly order, the rc where it stopped', async () => {
    const page = join(dir, 'history.html');
    const r = await history('--html', page);
    expect(r.code).toBe(0);
    const requests: string[] = [];
    const shot = await withChromium(async (context) => {
      const tab = await context.newPage();
      tab.on('request', (req) => requests.push(req.url()));
      const errors: string[] = [];
      tab.on('pageerror', (e) => errors.push(e.message));
      await tab.goto(pathToFileURL(page).href);
      const rows = await tab.locator('svg .row').evaluateAll((els) =>
        els.map((el) => ({
          signature: el.getAttribute('data-signature'),
          label: el.querySelector('.label')?.textContent,
          marks: [...el.querySelectorAll('.mark')].map((m) => ({ cycle: m.getAttribute('data-cycle'), run: Number(m.getAttribute('data-run')), x: Number(m.getAttribute('cx')) })),
          stopAt: el.querySelector('.stop')?.getAttribute('data-run') ?? null,
          status: el.querySelector('.status')?.textContent,
        })),
      );
      expect(rows.map((row) => row.signature)).toEqual([UAF_TITLE, LEAK, HOSTILE, DEADLOCK]);
      // The hostile title is text on the page, not markup that ran.
      expect(rows[2]?.label).toContain('<img src=x');
      expect(await tab.evaluate(() => (globalThis as unknown as { pwned?: number }).pwned)).toBeUndefined();
      const expected = [[0, 1], [0, 1, 2, 3], [1], [3]];
      rows.forEach((row, i) => {
        expect(row.marks.map((m) => m.run)).toEqual(expected[i]);
        expect(row.marks.map((m) => m.cycle)).toEqual(expected[i]?.map((n) => ids[n]));
        // Nightly order left to right.
        expect(row.marks.map((m) => m.x)).toEqual([...row.marks.map((m) => m.x)].sort((a, b) => a - b));
      });
      expect(rows.map((row) => [row.stopAt, row.status])).toEqual([
        ['2', 'stopped in v7.0.0-rc2'],
        [null, 'still appearing'],
        ['2', 'stopped in v7.0.0-rc2'],
        [null, 'still appearing'],
      ]);
      expect(await tab.locator('svg .rc-label').allTextContents()).toEqual(['v7.0.0-rc1', 'v7.0.0-rc2', 'v7.1.0-rc1']);
      // Where the browser drew the first row's marks and its stop, for the pixel check.
      const boxes = await Promise.all([
        ...(await tab.locator('svg .row').first().locator('.mark').all()).map((m) => m.boundingBox()),
        tab.locator('svg .row').first().locator('.stop').boundingBox(),
      ]);
      const png = await tab.screenshot({ fullPage: true });
      if (process.env.RCDEBUG_HISTORY_SCREENSHOT) writeFileSync(process.env.RCDEBUG_HISTORY_SCREENSHOT, png);
      expect(errors).toEqual([]);
      return { png, boxes };
    });
    // Nothing but the file itself was loaded.
    expect(requests).toEqual([pathToFileURL(page).href]);
    const pixels = decodePng(shot.png);
    expect(pixels.width).toBeGreaterThan(600);
    expect(pixels.colours()).toBeGreaterThan(20);
    const centre = (b: { x: number; y: number; width: number; height: number } | null) => pixels.at((b?.x ?? 0) + (b?.width ?? 0) / 2, (b?.y ?? 0) + (b?.height ?? 0) / 2);
    const marks = shot.boxes.slice(0, -1);
    expect(marks).toHaveLength(2);
    // The marks are drawn blue (#2456c8), the stop red (#c8242f), on the white page.
    for (const b of marks) expect(centre(b)).toEqual([0x24, 0x56, 0xc8]);
    expect(centre(shot.boxes.at(-1) ?? null)).toEqual([0xc8, 0x24, 0x2f]);
    expect(pixels.at(2, 2)).toEqual([255, 255, 255]);
  });

  it('refuses bad options before asking the server (exit 2), and says when the server does not answer (exit 10)', async () => {
    const nowhere = '127.0.0.1:1';
    const bad = async (args: string[], message: RegExp) => {
      const r = await rcdebugAt(nowhere, 'findings', 'history', ...args);
      expect(r.stderr).toMatch(message);
      expect(r.code).toBe(2);
    };
    await bad(['--since', 'last tuesday'], /--since must be a date such as 2026-11-01/);
    await bad(['--since', '2026-13-45'], /--since must be a date/);
    await bad(['--rc', 'rc 2'], /--rc must be a release candidate version/);
    await bad(['--page-size', '0'], /--page-size must be a whole number from 1 to 1000/);
    await bad(['--html', join(dir, 'no-such-folder', 'h.html')], /--html .*no-such-folder.* does not exist or cannot be written/);
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, '- signature: a\n  colour: red\n');
    await bad(['--write-baseline', broken], /broken\.yaml:1: entry 1/);
    expect(readFileSync(broken, 'utf8')).toBe('- signature: a\n  colour: red\n');
    expect(existsSync(join(dir, 'never.html'))).toBe(false);
    const down = await rcdebugAt(nowhere, 'findings', 'history', '--html', join(dir, 'never.html'));
    expect(down.code).toBe(10);
    expect(down.stderr).toMatch(/cannot reach Temporal at 127\.0\.0\.1:1/);
    expect(existsSync(join(dir, 'never.html'))).toBe(false);
  });
});
