/**
 * The streaming engine: takes log lines one at a time and hands back finished reports in
 * log order. Memory is bounded: a small window of recent lines, and a capped number of
 * reports being collected, each capped in size.
 */
import { familyOfLine, HEADER_PREFILTER, isStackCarryingInfo, type CompiledFamily } from './compiled-table';
import { contextOf, isTaskContext, stripConsolePrefix, withoutSyslogPrefix } from './console-line';
import type { KernelReport } from './kernel-report';
import { markOf, ReportCollector, type LogLine } from './report-collector';

/** Reports collected at once; a storm of headers closes the oldest early. */
const MAX_OPEN_REPORTS = 16;
/** Lines remembered before a header, for the context printed with a report. */
const WINDOW = 50;
const REPLAY_MARK = '** replaying previous printk message **';

export class ReportScanner {
  private collectors: ReportCollector[] = [];
  /** The last WINDOW lines, as a ring. */
  private window: string[] = [];
  private windowAt = 0;
  private pending: string | undefined;
  private lineNo = 0;

  /** `onReport` receives each report as soon as it is complete, in log order. */
  constructor(private readonly onReport: (r: KernelReport) => void) {}

  /** Feeds the next line of the log (without its newline). */
  push(line: string): void {
    // Serial consoles end lines with CRLF, some with CR CR LF.
    const raw = withoutSyslogPrefix(line.endsWith('\r') ? line.replace(/\r+$/, '') : line);
    this.lineNo++;
    const prev = this.pending;
    this.pending = raw;
    // Each line is looked at once the next one is known (a header may be replayed there).
    if (prev !== undefined) {
      this.process(prev, this.lineNo - 1, raw);
      if (this.collectors.length > 0 && this.collectors[0]!.done) this.drain(false);
    }
  }

  /** Ends the log: every report still being collected is complete. */
  end(): void {
    if (this.pending !== undefined) this.process(this.pending, this.lineNo, undefined);
    this.pending = undefined;
    this.drain(true);
  }

  private process(raw: string, no: number, next: string | undefined): void {
    const candidate = HEADER_PREFILTER.test(raw);
    let family: CompiledFamily | undefined;
    // A header the console cut off and printed again on the next line is the same report.
    if (candidate && !(next !== undefined && next.includes(REPLAY_MARK))) family = familyOfLine(raw);
    if (family !== undefined || this.collectors.length > 0) {
      const context = contextOf(raw);
      if (!candidate && !this.collectors.some((c) => c.wants(context))) {
        // Another task's or CPU's ordinary line: no report takes it.
        for (const c of this.collectors) c.skip(no);
        this.remember(raw);
        return;
      }
      const { text, questionable } = stripConsolePrefix(raw, context);
      const line: LogLine = {
        raw, no, context, text, questionable, family,
        carriesStack: candidate && isStackCarryingInfo(raw),
        mark: markOf(raw),
      };
      for (const c of this.collectors) c.feed(line);
      if (family !== undefined && !this.continues(raw, context)) this.open(line, family);
    }
    this.remember(raw);
  }

  private remember(raw: string): void {
    if (this.window.length < WINDOW) this.window.push(raw);
    else this.window[this.windowAt] = raw;
    this.windowAt = (this.windowAt + 1) % WINDOW;
  }

  private continues(raw: string, context: string): boolean {
    return this.collectors.some((c) => c.open && c.accepts(context) && !c.startsAnother(raw));
  }

  private open(line: LogLine, family: CompiledFamily): void {
    const collector = new ReportCollector(family, line.no, line.context, line.raw, this.prefixFor(line.context));
    collector.feed(line);
    this.collectors.push(collector);
    const live = this.collectors.filter((c) => !c.done);
    if (live.length > MAX_OPEN_REPORTS) live[0]!.done = true;
  }

  private prefixFor(context: string): string[] {
    const max = isTaskContext(context) ? WINDOW : 5;
    const lines: string[] = [];
    const ordered = [...this.window.slice(this.windowAt), ...this.window.slice(0, this.windowAt)];
    for (const raw of ordered) {
      if (contextOf(raw) !== context) continue;
      const { text, questionable } = stripConsolePrefix(raw, context);
      if (text.length > 0 && !questionable) lines.push(text);
    }
    return lines.slice(-max);
  }

  private drain(all: boolean): void {
    while (this.collectors.length > 0 && (all || this.collectors[0]!.done)) {
      this.onReport(this.collectors.shift()!.finish());
    }
  }
}
