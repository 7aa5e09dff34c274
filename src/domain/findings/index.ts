/**
 * The findings engine: kernel console logs in, deduplicated findings with their status
 * against a baseline out, as Markdown, JSON and JUnit XML.
 */
import { loadBaseline, type BaselineEntry } from './baseline';
import { countFindings, FindingsAccumulator, type FindingsResult, type LogSource, type Reproducer } from './finding';
import { describeDiagnostics } from './log-lines';
import { parseKernelLogFile } from './parse-log';

export type { KernelReport } from './kernel-report';
export type { Finding, FindingsResult, LogSource, Reproducer, Sighting } from './finding';
export type { BaselineEntry, BaselineStatus } from './baseline';
export { parseKernelLog, parseKernelLogFile } from './parse-log';
export { ReportScanner } from './report-scanner';
export { CONSOLE_START, scanConsolePiece, type ConsoleMark, type ResumedReport } from './console-resume';
export { signatureOf } from './signature';
export { loadBaseline, parseBaseline } from './baseline';
export { buildFindings, countFindings, FindingsAccumulator, toSummary } from './finding';
export { renderMarkdown } from './render-markdown';
export { annotateReport, frameKey, framesOf, guiltySource, parseFrameLine, type FindingSource, type FrameRef, type FrameSource, type SourceLocation } from './source-lines';
export { findingFailureText, renderJunit, xmlEscape } from './render-junit';
export { HistoryBuilder, findingsHistory, type ClosedCycle, type FindingsHistory, type HistoryFilter, type HistoryRun, type HistorySighting, type SignatureHistory } from './history';
export { renderHistoryHtml } from './history-html';
export { renderHistoryBaseline } from './history-baseline';
export { PANIC_MARKERS, consoleShowsPanic, panicLine, type PanicMarker } from './panic';

/**
 * Parses every log (streamed, one at a time), groups the reports by signature as they come
 * and compares them with the baseline file when one is given. A missing log or a malformed baseline is a
 * UserError naming the file (and line).
 */
export async function analyzeLogs(
  sources: LogSource[],
  opts: { baseline?: string | undefined; reproducer?: Reproducer | undefined } = {},
): Promise<FindingsResult> {
  const baseline: BaselineEntry[] = opts.baseline ? await loadBaseline(opts.baseline) : [];
  const acc = new FindingsAccumulator(baseline, opts.reproducer);
  const warnings: string[] = [];
  for (const source of sources) {
    const parsed = await parseKernelLogFile(source.path, { onReport: (report) => acc.add(report, source), keep: false });
    warnings.push(...describeDiagnostics(source.path, parsed.diagnostics));
  }
  const findings = acc.findings();
  return { findings, counts: countFindings(findings), warnings };
}

/** Renders the findings as JSON (stable key order, no timestamps: same input, same bytes). */
export function renderJson(r: FindingsResult): string {
  return JSON.stringify({ counts: r.counts, findings: r.findings, warnings: r.warnings, ...(r.sourceLines ? { sourceLines: r.sourceLines } : {}) }, null, 2) + '\n';
}
