/**
 * The streaming engine: takes log lines one at a time and hands back finished reports in
 * log order. Memory is bounded: a small window of recent lines, and a capped number of
 * reports being collected, each capped in size.
 */
import { familyOfLine, HEADER_PREFILTER, type CompiledFamily } from './compiled-table';
import { contextOf, isTaskContext, stripConsolePrefix } from './console-line';
import type { KernelReport } from './kernel-report';
import { ReportCollector } from './report-collector';

/** Reports collected at once; a storm of headers closes the oldest early. */
const MAX_OPEN_REPORTS = 16;
/** Lines remembered before a header, for the context printed with a report. */
const WINDOW = 50;
const REPLAY_MARK = '** replaying previous printk message **';

export class ReportScanner {
  private collectors: ReportCollector[] = [];
  private window: string[] = [];
  private pending: { raw: string; no: number } | undefined;
  private lineNo = 0;

  /** Feeds the next line of the log (without its newline); returns reports now complete. */
  push(line: string): KernelReport[] {
    const raw = line.endsWith('\r') ? line.slice(0, -1) : line;
    this.lineNo++;
    const prev = this.pending;
    this.pending = { raw, no: this.lineNo };
    if (prev) this.process(prev.raw, prev.no, raw);
    return this.drain(false);
  }

  /** Ends the log: every report still being collected is complete. */
  end(): KernelReport[] {
    if (this.pending) this.process(this.pending.raw, this.pending.no, undefined);
    this.pending = undefined;
    return this.drain(true);
  }

  private process(raw: string, no: number, next: string | undefined): void {
    let family: CompiledFamily | undefined;
    // A header the console cut off and printed again on the next line is the same report.
    if (HEADER_PREFILTER.test(raw) && !(next !== undefined && next.includes(REPLAY_MARK))) family = familyOfLine(raw);
    if (family !== undefined || this.collectors.length > 0) {
      const context = contextOf(raw);
      for (const c of this.collectors) c.feed(raw, no, context, family);
      if (family !== undefined && !this.continues(raw, family, context)) this.open(family, raw, no, context);
    }
    this.window.push(raw);
    if (this.window.length > WINDOW) this.window.shift();
  }

  private continues(raw: string, family: CompiledFamily, context: string): boolean {
    return this.collectors.some((c) => c.open && c.accepts(context) && !c.startsAnother(raw, family));
  }

  private open(family: CompiledFamily, raw: string, no: number, context: string): void {
    const collector = new ReportCollector(family, no, context, raw, this.prefixFor(context));
    collector.feed(raw, no, context, family);
    this.collectors.push(collector);
    const live = this.collectors.filter((c) => !c.done);
    if (live.length > MAX_OPEN_REPORTS) live[0]!.done = true;
  }

  private prefixFor(context: string): string[] {
    const max = isTaskContext(context) ? WINDOW : 5;
    const lines: string[] = [];
    for (const raw of this.window) {
      if (contextOf(raw) !== context) continue;
      const { text, questionable } = stripConsolePrefix(raw, context);
      if (text.length > 0 && !questionable) lines.push(text);
    }
    return lines.slice(-max);
  }

  private drain(all: boolean): KernelReport[] {
    const out: KernelReport[] = [];
    while (this.collectors.length > 0 && (all || this.collectors[0]!.done)) {
      out.push(this.collectors.shift()!.finish());
    }
    return out;
  }
}
