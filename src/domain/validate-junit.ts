/**
 * JUnit XML of one validateMain run (one cloud × flavor): a <testsuite> per KUnit suite, one
 * for the test command, and `kernel findings` with a failing case per new finding raised
 * during the tests. Each suite carries the run's properties (commit, kernel digest, cloud,
 * flavor) so a merged file still says where each result came from.
 */
import type { Finding } from './findings/finding';
import { findingFailureText, xmlEscape } from './findings/render-junit';
import type { TestCaseResult } from './validate';

/** Where a run's results come from. */
export interface JunitRunProperties {
  commit: string;
  kernelDigest: string;
  cloud: string;
  flavor: string;
  repo?: string | undefined;
  ref?: string | undefined;
}

/** The suite name of the test command's result. */
export const TEST_COMMAND_SUITE = 'test command';
/** The suite name of the findings raised during the tests. */
export const FINDINGS_SUITE = 'kernel findings';

function caseXml(classname: string, name: string, body: string): string {
  const open = `    <testcase classname="${xmlEscape(classname)}" name="${xmlEscape(name)}" time="0"`;
  return body ? `${open}>\n${body}\n    </testcase>` : `${open}/>`;
}

function testCaseXml(t: TestCaseResult, prefix: string): string {
  const msg = t.message ?? '';
  const body =
    t.status === 'failed'
      ? `      <failure message="${xmlEscape(msg.split('\n')[0] ?? '')}" type="failed">${xmlEscape(msg)}</failure>`
      : t.status === 'not-run'
        ? `      <error message="${xmlEscape(msg.split('\n')[0] ?? '')}" type="not-run">${xmlEscape(msg)}</error>`
        : t.status === 'skipped'
          ? `      <skipped message="${xmlEscape(msg)}"/>`
          : '';
  return caseXml(`${prefix}.${t.suite}`, t.name, body);
}

function suiteXml(name: string, cases: string[], counts: { failures: number; errors: number; skipped: number }, props: string): string {
  return [
    `  <testsuite name="${xmlEscape(name)}" tests="${cases.length}" failures="${counts.failures}" errors="${counts.errors}" skipped="${counts.skipped}" time="0">`,
    props,
    ...cases,
    '  </testsuite>',
  ].join('\n');
}

/** Renders one run's test results and the new findings as a JUnit document. */
export function renderValidateJunit(tests: TestCaseResult[], findings: Finding[], props: JunitRunProperties): string {
  const prefix = `${props.cloud}.${props.flavor}`;
  const propsXml = [
    '    <properties>',
    ...Object.entries({ commit: props.commit, 'kernel digest': props.kernelDigest, cloud: props.cloud, flavor: props.flavor, repo: props.repo, ref: props.ref })
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `      <property name="${xmlEscape(k)}" value="${xmlEscape(String(v))}"/>`),
    '    </properties>',
  ].join('\n');
  const suites: string[] = [];
  const names = [...new Set(tests.map((t) => t.suite))];
  for (const name of names) {
    const cases = tests.filter((t) => t.suite === name);
    suites.push(
      suiteXml(
        name,
        cases.map((t) => testCaseXml(t, prefix)),
        { failures: cases.filter((t) => t.status === 'failed').length, errors: cases.filter((t) => t.status === 'not-run').length, skipped: cases.filter((t) => t.status === 'skipped').length },
        propsXml,
      ),
    );
  }
  const fresh = findings.filter((f) => f.status === 'new');
  const findingCases = fresh.map((f) =>
    caseXml(`${prefix}.findings`, f.title, `      <failure message="${xmlEscape(`new kernel finding: ${f.title}`)}" type="${xmlEscape(f.type)}">${xmlEscape(findingFailureText(f))}</failure>`),
  );
  if (fresh.length === 0) findingCases.push(caseXml(`${prefix}.findings`, 'no new kernel findings', ''));
  suites.push(suiteXml(FINDINGS_SUITE, findingCases, { failures: fresh.length, errors: 0, skipped: 0 }, propsXml));
  return junitDocument(suites);
}

function junitDocument(suites: string[]): string {
  const total = (attr: string) => suites.reduce((n, s) => n + Number(new RegExp(`^  <testsuite [^>]*\\b${attr}="(\\d+)"`).exec(s)?.[1] ?? 0), 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="rcdebug validate" tests="${total('tests')}" failures="${total('failures')}" errors="${total('errors')}" skipped="${total('skipped')}" time="0">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}

/** Merges the JUnit documents of several runs into one (their <testsuite> elements side by side). */
export function mergeJunit(documents: string[]): string {
  const suites = documents.flatMap((d) => d.match(/^ {2}<testsuite [\s\S]*?^ {2}<\/testsuite>/gm) ?? []);
  return junitDocument(suites);
}
