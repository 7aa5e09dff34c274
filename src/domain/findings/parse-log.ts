/**
 * The parser's entry points: a whole log in memory, or a file streamed line by line.
 */
import type { KernelReport } from './kernel-report';
import { LineSplitter, readLogLines, type LogDiagnostics } from './log-lines';
import { ReportScanner } from './report-scanner';

/** The reports in a log, in the order they appear. */
export function parseKernelLog(text: string): KernelReport[] {
  const reports: KernelReport[] = [];
  const scanner = new ReportScanner((r) => reports.push(r));
  const splitter = new LineSplitter((line) => scanner.push(line));
  splitter.write(text);
  splitter.end();
  scanner.end();
  return reports;
}

/** What parsing one file produced. */
export interface ParsedLogFile {
  reports: KernelReport[];
  diagnostics: LogDiagnostics;
}

/**
 * Streams a log file of any size through the parser; memory stays bounded (each report is
 * capped). `onReport` sees each report as soon as it is complete; the returned list holds
 * them all unless `keep` is false.
 */
export async function parseKernelLogFile(
  path: string,
  opts: { onReport?: (r: KernelReport) => void; keep?: boolean } = {},
): Promise<ParsedLogFile> {
  const reports: KernelReport[] = [];
  const keep = opts.keep ?? true;
  const scanner = new ReportScanner((r) => {
    opts.onReport?.(r);
    if (keep) reports.push(r);
  });
  const diagnostics = await readLogLines(path, (line) => scanner.push(line));
  scanner.end();
  return { reports, diagnostics };
}
