/**
 * Parsing a growing console a piece at a time, as the soak checks do: each check parses the
 * bytes that arrived since the previous one and hands back the reports in them; where it
 * stopped is two byte offsets, small enough to keep in the workflow's history, so any worker
 * can continue after a restart.
 */
import type { ConsoleMark } from '../contract';
import type { KernelReport } from './kernel-report';
import { MAX_LINE_CHARS } from './log-lines';
import { ReportScanner } from './report-scanner';

export type { ConsoleMark };

/** A report of a console piece, with the byte offset of its header line. */
export interface ResumedReport {
  report: KernelReport;
  offset: number;
  /** False when it was still open at the end of the piece (more of it may come). */
  finished: boolean;
}

/** The start of a console. */
export const CONSOLE_START: ConsoleMark = { offset: 0, reported: 0, read: 0 };

/**
 * Parses `bytes`, the console from byte `start` on, resuming at `mark`, and hands back, in
 * header order, the reports not handed back before. A report still open at the end of the
 * piece is handed back when it was already there at the previous check (`mark.read`) or when
 * `settled` says it is (its title did not change over a short wait); otherwise it is held
 * (`pending`), with every report after it, for the next check, which parses it again whole. A piece that starts before the mark
 * means the console was replaced (a new console file): it is parsed from its start; one that
 * starts past what was read means output was lost between (a cloud that keeps only the
 * latest part). Only whole lines are parsed: a line still being written waits.
 */
export function scanConsolePiece(
  bytes: Buffer,
  start: number,
  mark: ConsoleMark,
  settled: (r: ResumedReport) => boolean = () => false,
): { reports: ResumedReport[]; mark: ConsoleMark; pending: ResumedReport[] } {
  // Before the mark: the console was replaced; past what was read: output was lost between.
  const base = start < mark.offset || start > mark.read ? { offset: start, reported: start, read: start } : mark;
  const from = base.offset - start;
  const lastNewline = bytes.lastIndexOf(10);
  if (lastNewline < from) return { reports: [], mark: base, pending: [] };
  const lineStarts: number[] = [];
  const done: KernelReport[] = [];
  const open: KernelReport[] = [];
  let ending = false;
  const scanner = new ReportScanner((r) => (ending ? open : done).push(r));
  for (let at = from; at <= lastNewline; ) {
    const nl = bytes.indexOf(10, at);
    lineStarts.push(start + at);
    // Overlong lines are cut as the file reader cuts them.
    scanner.push(bytes.toString('utf8', at, Math.min(nl, at + MAX_LINE_CHARS)));
    at = nl + 1;
  }
  ending = true;
  scanner.end();
  const end = start + lastNewline + 1;
  const offsetOf = (r: KernelReport) => lineStarts[r.startLine - 1] ?? end;
  const all = [
    ...done.map((report) => ({ report, offset: offsetOf(report), finished: true })),
    ...open.map((report) => ({ report, offset: offsetOf(report), finished: false })),
  ]
    .filter((r) => r.offset >= base.reported)
    .sort((a, b) => a.offset - b.offset);
  const firstHeld = all.findIndex((r) => !r.finished && r.offset >= base.read && !settled(r));
  const reports = firstHeld < 0 ? all : all.slice(0, firstHeld);
  const reported = firstHeld < 0 ? end : all[firstHeld]!.offset;
  return { reports, mark: { offset: open[0] ? offsetOf(open[0]) : end, reported, read: end }, pending: firstHeld < 0 ? [] : all.slice(firstHeld) };
}
