/**
 * JUnit XML, the format every CI shows: one failing test case per new finding, a passing one
 * per known or fixed finding, and one that passes when the logs hold no new finding.
 */
import type { Finding, FindingsResult } from './finding';

/** Escapes text for XML, dropping characters XML 1.0 cannot hold at all. */
export function xmlEscape(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** A finding's failure text: what it is, where it was seen and how to reproduce it, then the report. */
export function findingFailureText(f: Finding): string {
  const r = f.reproducer;
  const lines = [
    `signature: ${f.signature}`,
    `type: ${f.type}`,
    `seen: ${f.count} time(s) on ${f.nodes.join(', ')}`,
    f.firstSeen ? `first seen: ${f.firstSeen.source}:${f.firstSeen.line}` : '',
    r.kernelDigest ? `kernel digest: ${r.kernelDigest}` : '',
    r.imageId ? `image: ${r.imageId}` : '',
    r.module ? `module: ${r.module}` : '',
    r.moduleVersion ? `module version: ${r.moduleVersion}` : '',
    r.logArtifact ? `log: ${r.logArtifact}` : '',
    ...(r.commands ?? []).map((c) => `$ ${c}`),
    '',
    f.report,
  ];
  return lines.filter((l, i) => l !== '' || i === lines.length - 2).join('\n');
}

function testCase(f: Finding, classname: string): string {
  const name = xmlEscape(f.title);
  const open = `    <testcase classname="${xmlEscape(classname)}.${f.status}" name="${name}" time="0">`;
  if (f.status === 'new') {
    return `${open}\n      <failure message="${xmlEscape(`new kernel finding: ${f.title}`)}" type="${xmlEscape(f.type)}">${xmlEscape(findingFailureText(f))}</failure>\n    </testcase>`;
  }
  const what = f.status === 'known' ? `known issue, seen ${f.count} time(s)` : 'in the baseline, not seen in these logs';
  const text = [what, f.baseline?.link, f.baseline?.note].filter(Boolean).join('\n');
  return `${open}\n      <system-out>${xmlEscape(text)}</system-out>\n    </testcase>`;
}

/** Renders the findings as JUnit XML. */
export function renderJunit(r: FindingsResult, meta: { suiteName?: string } = {}): string {
  const suite = meta.suiteName ?? 'rcdebug.findings';
  const cases = r.findings.map((f) => testCase(f, suite));
  const clean = r.counts.new === 0;
  cases.push(`    <testcase classname="${xmlEscape(suite)}" name="no new kernel findings" time="0">${clean ? '' : `\n      <failure message="${r.counts.new} new finding(s)" type="findings"/>\n    `}</testcase>`);
  const tests = cases.length;
  const failures = r.counts.new + (clean ? 0 : 1);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlEscape(suite)}" tests="${tests}" failures="${failures}" errors="0" time="0">`,
    `  <testsuite name="${xmlEscape(suite)}" tests="${tests}" failures="${failures}" errors="0" skipped="0" time="0">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
