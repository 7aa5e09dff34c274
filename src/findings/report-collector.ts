/**
 * Collects the lines of one report as the log streams by, the way a reader would: only the
 * lines of the task or CPU that printed the header, without frames the unwinder doubted,
 * and without the panic tail that repeats the stack.
 */
import { isContinuationHeader, isStackCarryingInfo, type CompiledFamily } from './compiled-table';
import { CONSOLE_CONTEXT, isCpuContext, stripConsolePrefix } from './console-line';
import { corruptionOf, describe } from './describe';
import type { KernelReport } from './kernel-report';
import { typeOfTitle } from './report-types';
import { frameOfTitle, normalizeTitle } from './title-normalize';

/** Limits that keep one report, and so the parser, in bounded memory. */
export const REPORT_LIMITS = {
  /** Lines kept per report. */
  maxLines: 4000,
  /** Characters kept per report. */
  maxChars: 1 << 20,
  /** Log lines still looked at after another report started (for the corruption check). */
  tailAfterNext: 1000,
};

/** Seen in the log right after a report: the console reconnected and the report was cut. */
const CONSOLE_HANGUP = 'serialport: VM disconnected.';

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
  }

  /** True while no other report has begun: a continuation header still belongs here. */
  get open(): boolean {
    return !this.done && this.nextReportAt === 0;
  }

  /** Whether a line with this context may belong to the report. */
  accepts(context: string): boolean {
    return context === this.context || this.context === '';
  }

  /** Feeds one log line; `header` is the family the line opens a report of, if any. */
  feed(raw: string, lineNo: number, context: string, header: CompiledFamily | undefined): void {
    if (this.done) return;
    const isHeaderLine = lineNo === this.startLine;
    if (raw.includes(CONSOLE_HANGUP)) this.hungUp = true;
    if (!isHeaderLine && this.nextReportAt === 0 && (isStackCarryingInfo(raw) || (header && this.startsAnother(raw, header)))) {
      this.nextReportAt = lineNo;
    }
    if (this.nextReportAt !== 0 && ++this.linesSinceNext > REPORT_LIMITS.tailAfterNext) {
      this.done = true;
      return;
    }
    const { text, questionable } = stripConsolePrefix(raw, context);
    if (!isHeaderLine) {
      if (questionable) return;
      // An NMI backtrace of all CPUs belongs to the report whatever CPU prints it.
      if (context !== this.context && !(this.cpuTraceback && isCpuContext(context))) return;
    }
    this.textLines++;
    let skipLine = this.skipText;
    if (raw.includes('Disabling lock debugging due to kernel taint')) {
      skipLine = true;
    } else if (raw.includes('Sending NMI from CPU')) {
      this.cpuTraceback = true;
    } else if (
      (raw.includes('Kernel panic - not syncing') || raw.includes('WARNING: possible circular locking dependency detected')) &&
      this.textLines > this.minLines()
    ) {
      // With panic_on_warn the panic repeats the stack; an oops often triggers a lockdep
      // splat. When the report already has enough lines, the rest is noise.
      this.skipText = true;
      skipLine = true;
    }
    if (!isHeaderLine && skipLine) return;
    this.lines.push(text);
    this.chars += text.length + 1;
    // With a caller id, other reports' lines are filtered out, so the report runs on.
    if (this.nextReportAt === 0 || (this.context !== '' && this.context !== CONSOLE_CONTEXT)) {
      this.titleLines = this.lines.length;
      this.lastLine = lineNo;
    }
    if (this.lines.length >= REPORT_LIMITS.maxLines || this.chars >= REPORT_LIMITS.maxChars) this.done = true;
  }

  /** A header ends this report's title region unless it continues a report of another family. */
  startsAnother(raw: string, header: CompiledFamily): boolean {
    return header === this.family || !isContinuationHeader(raw, this.headerLine);
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
