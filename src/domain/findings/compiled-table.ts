/**
 * The report table compiled once: regexps for every pattern, one skip regexp per stack rule,
 * and the header prefilter that keeps the per-line cost of the parser to one regexp test.
 */
import type { ReportFamily, ReportFormat, StackRule } from './format-types';
import { compilePattern, escapeRegExp, PARSE_STACK } from './patterns';
import { CONSOLE_HANGUP, CONTINUATION_HEADERS, REPORT_FAMILIES, STACK_CARRYING_INFO } from './report-formats';
import { SKIP_FRAMES, type FrameExtractor } from './stack-rules';

/** One step of a compiled stack rule: a pattern to find, or "parse a stack here". */
export type StackPart = RegExp | typeof PARSE_STACK;

export interface CompiledStack {
  parts: StackPart[];
  fallbackParts: StackPart[];
  skip: RegExp;
  extractor?: FrameExtractor | undefined;
}

export interface CompiledFormat {
  source: ReportFormat;
  title: RegExp;
  report?: RegExp | undefined;
  stack?: CompiledStack | undefined;
}

export interface CompiledFamily {
  source: ReportFamily;
  header: string;
  formats: CompiledFormat[];
  ignore: RegExp[];
}

function compileParts(parts: readonly string[] | undefined): StackPart[] {
  return (parts ?? []).map((p) => (p === PARSE_STACK ? PARSE_STACK : compilePattern(p)));
}

function compileStack(rule: StackRule): CompiledStack {
  return {
    parts: compileParts(rule.parts),
    fallbackParts: compileParts(rule.fallbackParts),
    skip: new RegExp([...SKIP_FRAMES, ...(rule.skip ?? [])].join('|')),
    extractor: rule.extractor,
  };
}

/** Compiles a family; exported for the table checks. */
export function compileFamily(family: ReportFamily): CompiledFamily {
  return {
    source: family,
    header: family.header,
    ignore: (family.ignore ?? []).map(compilePattern),
    formats: family.formats.map((f) => ({
      source: f,
      title: compilePattern(f.title),
      report: f.report === undefined ? undefined : compilePattern(f.report),
      stack: f.stack ? compileStack(f.stack) : undefined,
    })),
  };
}

/** Every family, compiled, in table order. */
export const FAMILIES: readonly CompiledFamily[] = REPORT_FAMILIES.map(compileFamily);

/**
 * One test that every possibly interesting line passes and almost every boot line fails:
 * report headers, messages with their own stacks, and the console hang-up notice.
 */
export const HEADER_PREFILTER = new RegExp(
  [...REPORT_FAMILIES.map((f) => f.header), ...STACK_CARRYING_INFO, CONSOLE_HANGUP].map(escapeRegExp).join('|'),
);

/** The family a line opens, if it opens one (the first family whose header it holds and does not ignore). */
export function familyOfLine(line: string): CompiledFamily | undefined {
  for (const family of FAMILIES) {
    if (!line.includes(family.header)) continue;
    if (family.ignore.some((re) => re.test(line))) continue;
    return family;
  }
  return undefined;
}

/** True when a header line continues the report (opened by `reportHeader`) it appears in rather than starting one. */
export function isContinuationHeader(line: string, reportHeader: string): boolean {
  return CONTINUATION_HEADERS.some((c) => line.includes(c.header) && (c.within === undefined || reportHeader.includes(c.within)));
}

/** True when the line is an informational message that carries its own stack trace. */
export function isStackCarryingInfo(line: string): boolean {
  return STACK_CARRYING_INFO.some((h) => line.includes(h));
}
