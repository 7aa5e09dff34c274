/**
 * Golden files: a header of expectations, one blank line, then the raw console log.
 * `TITLE:` (absent or empty: no report), `ALT:` (repeatable), `TYPE:`, `FRAME:`, `CORRUPTED: Y`;
 * other keys are read and ignored; `#` lines are comments. A `REPORT:` line after the log
 * starts the expected report text, which is not part of the log.
 */
import { readFileSync, writeFileSync } from 'node:fs';

export interface GoldenCase {
  file: string;
  title?: string | undefined;
  alternativeTitles: string[];
  type?: string | undefined;
  frame?: string | undefined;
  corrupted: boolean;
  log: string;
}

/** Reads one golden file; throws naming the file and line when the header is malformed. */
export function readGolden(file: string): GoldenCase {
  const text = readFileSync(file, 'latin1');
  const lines = text.split('\n');
  const c: GoldenCase = { file, alternativeTitles: [], corrupted: false, log: '' };
  let i = 0;
  for (; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line === '') break;
    if (line.startsWith('#')) continue;
    const m = /^([A-Z]+):\s?(.*)$/.exec(line);
    if (!m) throw new Error(`${file}:${i + 1}: header line "${line}" is not KEY: value; end the header with a blank line`);
    const [, key, value] = m;
    if (key === 'TITLE') c.title = value === '' ? undefined : value; // an empty TITLE means: no report
    else if (key === 'ALT') c.alternativeTitles.push(value ?? '');
    else if (key === 'TYPE') c.type = value;
    else if (key === 'FRAME') c.frame = value;
    else if (key === 'CORRUPTED') c.corrupted = value === 'Y';
  }
  const body = lines.slice(i + 1);
  const reportAt = body.indexOf('REPORT:');
  c.log = (reportAt < 0 ? body : body.slice(0, reportAt)).join('\n');
  return c;
}

/** What a golden header states about the first report of its log. */
export interface GoldenExpectation {
  title?: string | undefined;
  type?: string | undefined;
  frame?: string | undefined;
  corrupted: boolean;
}

/**
 * Rewrites a golden file's expectations (TITLE, TYPE, FRAME, CORRUPTED) from `want`, keeping its
 * comments, ALT lines, other keys and the log byte for byte. Used by RCDEBUG_GOLDEN_UPDATE=1.
 */
export function rewriteGolden(file: string, want: GoldenExpectation): void {
  // The header ends at the first empty line, as readGolden reads it (it may be empty).
  const lines = readFileSync(file, 'latin1').split('\n');
  const end = lines.indexOf('');
  const header = end < 0 ? lines : lines.slice(0, end);
  const rest = end < 0 ? ['', ''] : lines.slice(end);
  const owned = /^(TITLE|TYPE|FRAME|CORRUPTED):/;
  const kept = header.filter((l) => !owned.test(l));
  const expectations = [
    `TITLE: ${want.title ?? ''}`,
    ...(want.title !== undefined && want.type ? [`TYPE: ${want.type}`] : []),
    ...(want.title !== undefined && want.frame ? [`FRAME: ${want.frame}`] : []),
    ...(want.corrupted ? ['CORRUPTED: Y'] : []),
    ...kept,
  ];
  writeFileSync(file, [...expectations, ...rest].join('\n'), 'latin1');
}
