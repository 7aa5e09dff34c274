/**
 * Collects the lines of one report as the log streams by, the way a reader would: only the
 * lines of the task or CPU that printed the header, without frames the unwinder doubted,
 * and without the panic tail that repeats the stack.
 */
import { isContinuationHeader, type CompiledFamily } from './compiled-table';
import { CONSOLE_CONTEXT, isCpuContext } from './console-line';
import { corruptionOf, describe } from './describe';
import { escapeRegExp, matchesAny } from './patterns';
import type { KernelReport } from './kernel-report';
import { CONSOLE_HANGUP } from './report-formats';
import { typeOfTitle } from './report-types';
import { FRAME_RES, STACK_START_RES } from './stack-rules';
import { frameOfTitle, normalizeTitle } from './title-normalize';

/** Limits that keep one report, and so the parser, in bounded memory. */
export const REPORT_LIMITS = {
  /** Lines kept per report. */
  maxLines: 1000,
  /** Characters kept per report. */
  maxChars: 1 << 20,
  /** Without a caller id: log lines still looked at after another report started (for the corruption check). */
  tailAfterNext: 200,
  /** Log lines looked at in all, whatever their context. */
  maxSpan: 5000,
  /**
   * Log lines after the report's last line of its own (its header, a stack trace line, a
   * frame, another header) before it ends: the bounded tail. The longest quiet stretch inside
   * a real report of the corpus is under 80 lines; ordinary output that runs on longer is not
   * the report's, and a header after it opens a report of its own.
   */
  quietTail: 100,
};

/** Lines that change how a report is collected. */
export type LineMark = 'taint' | 'nmi' | 'tail' | 'hangup' | undefined;

const TAINT = 'Disabling lock debugging due to kernel taint';
const NMI_BACKTRACE = 'Sending NMI from CPU';
const MARKS = new RegExp(
  [TAINT, NMI_BACKTRACE, 'Kernel panic - not syncing', 'WARNING: possible circular locking dependency detected', CONSOLE_HANGUP]
    .map(escapeRegExp)
    .join('|'),
);

/** What a line means for collecting: lock debugging switched off (not part of the report), an NMI backtrace of all CPUs begins, a panic or lockdep tail that repeats the report, or the console disconnected (the report was cut). */
export function markOf(raw: string): LineMark {
  const m = MARKS.exec(raw);
  if (!m) return undefined;
  if (m[0] === TAINT) return 'taint';
  if (m[0] === NMI_BACKTRACE) return 'nmi';
  if (m[0] === CONSOLE_HANGUP) return 'hangup';
  return 'tail';
}

/** One log line, analysed once and shared by every report being collected. */
export interface LogLine {
  raw: string;
  no: number;
  context: string;
  /** Without the console prefix. */
  text: string;
  questionable: boolean;
  /** The family of report it opens, if it is a header. */
  family: CompiledFamily | undefined;
  /** An informational message with its own stack trace. */
  carriesStack: boolean;
  mark: LineMark;
}

/**
 * Whether a line the report took is surely report output: a stack trace header, a frame, or a
 * line that marks how the report goes on (lock debugging off, an NMI backtrace, a panic or
 * lockdep tail). Ordinary output in between is kept, but only a bounded tail of it.
 */
function looksLikeReportOutput(line: LogLine): boolean {
  if (line.mark !== undefined && line.mark !== 'hangup') return true;
  return matchesAny(line.text, FRAME_RES) || matchesAny(line.text, STACK_START_RES);
}

/** One report being collected; `finish()` describes it. */
export class ReportCollector {
  readonly lines: string[] = [];
  /** Lines that belong to this report's title region (before another report began). */
  private titleLines = 0;
  private lastLine: number;
  private chars = 0;
  private textLines = 0;
  private skipText = false;
  private cpuTraceback = false;
  private nextReportAt = 0;
  private linesSinceNext = 0;
  /** The last log line that was surely the report's own output (see `looksLikeReportOutput`). */
  private lastOwnLine: number;
  /** The console disconnected while this report was being printed (never before it). */
  private hungUp = false;
  done = false;

  constructor(
    readonly family: CompiledFamily,
    readonly startLine: number,
    readonly context: string,
    private readonly headerLine: string,
    private readonly prefix: string[],
  ) {
    this.lastLine = startLine;
    this.lastOwnLine = startLine;
  }

  /** Lines carry the id of the task or CPU that printed them (CONFIG_PRINTK_CALLER). */
  private get hasCallerId(): boolean {
    return this.context !== '' && this.context !== CONSOLE_CONTEXT;
  }

  /** True while no other report has begun: a continuation header still belongs here. */
  get open(): boolean {
    return !this.done && this.nextReportAt === 0;
  }

  /** Whether a line with this context may belong to the report. */
  accepts(context: string): boolean {
    return context === this.context || this.context === '';
  }

  /** Whether a plain line (no header, no mark) with this context can belong to the report. */
  wants(context: string): boolean {
    return !this.done && (context === this.context || (this.cpuTraceback && isCpuContext(context)));
  }

  /** Counts a line that cannot belong to the report (see `wants`); returns false once the report is complete. */
  skip(lineNo: number): boolean {
    if (this.done) return false;
    // With a caller id the report's own lines keep coming between other reports' lines.
    const tailEnds = this.nextReportAt !== 0 && !this.hasCallerId && ++this.linesSinceNext > REPORT_LIMITS.tailAfterNext;
    const quiet = lineNo - this.lastOwnLine > REPORT_LIMITS.quietTail;
    if (tailEnds || quiet || lineNo - this.startLine > REPORT_LIMITS.maxSpan) this.done = true;
    return !this.done;
  }

  /** Feeds one log line, analysed once for all reports being collected. */
  feed(line: LogLine): void {
    if (this.done) return;
    const isHeaderLine = line.no === this.startLine;
    if (line.mark === 'hangup') this.hungUp = true;
    if (!isHeaderLine && this.nextReportAt === 0 && (line.carriesStack || (line.family && this.startsAnother(line.raw)))) {
      this.nextReportAt = line.no;
    }
    if (!this.skip(line.no)) return;
    if (!isHeaderLine) {
      if (line.questionable) return;
      // An NMI backtrace of all CPUs belongs to the report whatever CPU prints it.
      if (line.context !== this.context && !(this.cpuTraceback && isCpuContext(line.context))) return;
    }
    this.textLines++;
    // A continuation header (a panic after an oops) is this report's; another report's header is not.
    if ((line.family !== undefined && !this.startsAnother(line.raw)) || looksLikeReportOutput(line)) this.lastOwnLine = line.no;
    let skipLine = this.skipText;
    if (line.mark === 'taint') {
      skipLine = true;
    } else if (line.mark === 'nmi') {
      this.cpuTraceback = true;
    } else if (line.mark === 'tail' && this.textLines > this.minLines()) {
      // With panic_on_warn the panic repeats the stack; an oops often triggers a lockdep
      // splat. When the report already has enough lines, the rest is noise.
      this.skipText = true;
      skipLine = true;
    }
    if (!isHeaderLine && skipLine) return;
    this.lines.push(line.text);
    this.chars += line.text.length + 1;
    // With a caller id, other reports' lines are filtered out, so the report runs on.
    if (this.nextReportAt === 0 || this.hasCallerId) {
      this.titleLines = this.lines.length;
      this.lastLine = line.no;
    }
    if (this.lines.length >= REPORT_LIMITS.maxLines || this.chars >= REPORT_LIMITS.maxChars) this.done = true;
  }

  /** A header ends this report's title region unless it is one that continues a report (a panic after an oops). */
  startsAnother(raw: string): boolean {
    return !isContinuationHeader(raw, this.headerLine);
  }


  private minLines(): number {
    // KMSAN reports have no call trace header and are shorter.
    return this.headerLine.includes('BUG: KMSAN:') ? 16 : 22;
  }

  /** Describes the collected report. */
  finish(): KernelReport {
    this.done = true;
    const titleText = this.lines.slice(0, this.titleLines).join('\n') + '\n';
    const fullText = this.lines.join('\n') + '\n';
    const d = describe(this.family, titleText);
    let reason = d.corruptedReason || corruptionOf(d.title, fullText, d.format);
    if (!reason && this.hungUp) reason = 'the console disconnected';
    const title = normalizeTitle(d.title);
    const alternativeTitles = [...new Set(d.alternativeTitles.map(normalizeTitle))].filter((t) => t !== title);
    return {
      title,
      alternativeTitles,
      type: typeOfTitle(title),
      frame: frameOfTitle(title),
      corrupted: reason !== '',
      corruptedReason: reason,
      startLine: this.startLine,
      endLine: this.lastLine,
      report: [...this.prefix, ...this.lines.slice(0, this.titleLines)].join('\n'),
    };
  }
}
