/**
 * KTAP, as Linux 6.1's KUnit prints it on the kernel log when a module's suites run at load:
 *
 *     [   12.3]     KTAP version 1
 *     [   12.3]     # Subtest: kbug
 *     [   12.3]     1..4
 *     [   12.4]     # kbug_test_x: EXPECTATION FAILED at kbug.c:353
 *     [   12.4]     not ok 2 kbug_test_x
 *     [   12.4]     ok 3 kbug_test_y # SKIP why
 *     [   12.5] # kbug: pass:3 fail:1 skip:0 total:4
 *     [   12.5] ok 1 kbug
 *
 * A suite's cases sit one level deeper than its own result line; a parameterised case nests
 * one more level (its parameters' lines are folded into the case). Diagnostics (`# ...`)
 * come before the result they explain. Pure module: workflow code may import it.
 */
import type { TestCaseResult } from './validate';

const TIMESTAMP = /^\s*(?:<\d+>)?\[\s*\d+\.\d+\]\s?/;
const RESULT = /^(not ok|ok) (\d+)(?: (?:- )?([^#]*?))?\s*(?:#\s*(SKIP|TODO)\b\s*(.*))?$/i;
const PLAN = /^1\.\.(\d+)$/;
const SUBTEST = /^# Subtest: (.+)$/;
const STATS = /^# (?:\S+: )?(?:pass|Totals: pass):\d+ fail:\d+/;

/** One KTAP line: its depth (4 spaces a level) and text, the kernel log's time stamp cut off. */
function ktapLine(raw: string): { indent: number; text: string } {
  const line = raw.replace(/\r$/, '').replace(TIMESTAMP, '');
  const text = line.trimStart();
  return { indent: line.length - text.length, text: text.trimEnd() };
}

interface OpenSuite {
  name: string;
  indent: number;
  planned?: number;
  cases: TestCaseResult[];
  diagnostics: string[];
  /** Depth of a parameterised case's own subtest, whose lines belong to that case. */
  paramIndent?: number;
}

/** The suites of a KTAP text, in the order they started, and whether each ended. */
export interface KtapSuite {
  name: string;
  planned?: number | undefined;
  ended: boolean;
  cases: TestCaseResult[];
}

/** Parses the KTAP in a kernel log (other lines are skipped) into suites and their cases. */
export function parseKtap(log: string): KtapSuite[] {
  const done: KtapSuite[] = [];
  const open: OpenSuite[] = [];
  const close = (s: OpenSuite, ended: boolean) => done.push({ name: s.name, planned: s.planned, ended, cases: s.cases });
  for (const raw of log.split('\n')) {
    const { indent, text } = ktapLine(raw);
    if (!text) continue;
    const top = open[open.length - 1];
    const sub = SUBTEST.exec(text);
    if (sub) {
      // A subtest one level inside a suite's cases is a parameterised case, not a suite.
      if (top && indent > top.indent) top.paramIndent = indent;
      else open.push({ name: sub[1]!.trim(), indent, cases: [], diagnostics: [] });
      continue;
    }
    if (!top) continue;
    if (top.paramIndent !== undefined && indent >= top.paramIndent) {
      if (text.startsWith('#') && !STATS.test(text)) top.diagnostics.push(text.replace(/^#\s?/, ''));
      continue;
    }
    const plan = PLAN.exec(text);
    if (plan && indent === top.indent) {
      top.planned = Number(plan[1]);
      continue;
    }
    const result = RESULT.exec(text);
    if (result && indent === top.indent) {
      top.paramIndent = undefined;
      top.cases.push(caseOf(top, result));
      top.diagnostics = [];
      continue;
    }
    if (result && indent < top.indent) {
      // The suite's own result line: it ended (or its parent's line ends it too).
      while (open.length && open[open.length - 1]!.indent > indent) close(open.pop()!, true);
      continue;
    }
    if (text.startsWith('#') && indent >= top.indent && !STATS.test(text)) top.diagnostics.push(text.replace(/^#\s?/, ''));
    else if (indent >= top.indent && top.diagnostics.length) top.diagnostics.push(text);
  }
  for (const s of open.reverse()) close(s, false);
  return done.sort((a, b) => order(log, a.name) - order(log, b.name));
}

function order(log: string, suite: string): number {
  return log.indexOf(`# Subtest: ${suite}`);
}

function caseOf(suite: OpenSuite, m: RegExpExecArray): TestCaseResult {
  const ok = m[1]!.toLowerCase() === 'ok';
  const directive = m[4]?.toUpperCase();
  const name = m[3]?.trim() || `test ${m[2]}`;
  const diag = suite.diagnostics.join('\n').trim();
  if (directive === 'SKIP') return { suite: suite.name, name, status: 'skipped', message: m[5]?.trim() || diag || undefined };
  if (ok) return { suite: suite.name, name, status: 'passed' };
  return { suite: suite.name, name, status: 'failed', message: diag || 'the test failed (no diagnostics printed)' };
}

/** What the test results are judged against. */
export interface KtapExpectations {
  /** Suites that must have run; an absent one is a failed test. Empty: whatever ran. */
  suites?: string[] | undefined;
  /** Why the log ends early (`kernel panic: ...`, `timed out after 600 s`): unfinished tests did not run. */
  cutReason?: string | undefined;
}

/**
 * The test cases of a KTAP log: the cases that reported, `not-run` (with the reason) for
 * every planned case a panic or a timeout cut off, and a failed case for each suite asked for
 * that the module does not have.
 */
export function ktapResults(log: string, expect: KtapExpectations = {}): TestCaseResult[] {
  const suites = parseKtap(log);
  const out: TestCaseResult[] = [];
  for (const s of suites) {
    out.push(...s.cases);
    if (s.ended) continue;
    const reason = expect.cutReason ?? 'the kernel log ends before the suite did';
    const planned = s.planned ?? s.cases.length + 1;
    for (let n = s.cases.length + 1; n <= planned; n++) {
      out.push({ suite: s.name, name: `test ${n} of ${planned}`, status: 'not-run', message: `not reached: ${reason}` });
    }
  }
  for (const name of expect.suites ?? []) {
    if (suites.some((s) => s.name === name)) continue;
    const message = expect.cutReason ? `suite ${name} did not start: ${expect.cutReason}` : `suite ${name} is not in the module: it printed no KTAP for it`;
    out.push({ suite: name, name, status: expect.cutReason ? 'not-run' : 'failed', message });
  }
  return out;
}
