/**
 * The shape of the report table (see `report-formats.ts`). Pure types.
 */
import type { FrameExtractor } from './stack-rules';

/**
 * How the guilty frame is found. `parts` are matched one after another from the title line:
 * a pattern advances to the first line it matches (its captures are frames), and
 * `PARSE_STACK` reads frames until the next stack starts. Each `PARSE_STACK` yields one
 * frame, `{frame}` in the output template, then `{frame2}`...
 */
export interface StackRule {
  parts: readonly string[];
  /** Tried when `parts` found no frame (older kernels print the stack differently). */
  fallbackParts?: readonly string[];
  /** More frames to skip for this format (regexps, unanchored). */
  skip?: readonly string[];
  /** Picks the guilty frame; default: the first frame not skipped. */
  extractor?: FrameExtractor;
}

/** One kind of report inside a family: how to recognise it and how to title it. */
export interface ReportFormat {
  /** Pattern (with placeholders) that finds the report's title line in the report text. */
  title: string;
  /** A fuller pattern the report must match; when it does not, the report is corrupted. Its captures replace the title's. */
  report?: string;
  /**
   * The title: `{1}`, `{2}`... are the captures of `report` (or `title`), `{frame}`,
   * `{frame2}`... the frames found by `stack`.
   */
  output: string;
  /** Alternative titles, same template syntax; they help to match one bug across architectures. */
  alt?: readonly string[];
  stack?: StackRule;
  /** The report has no stack trace by nature; do not call it corrupted for missing one. */
  noStackTrace?: boolean;
  /** Matching this format alone means the report is damaged. */
  corrupted?: boolean;
}

/** A family of reports sharing one header string, the cheap test every log line goes through. */
export interface ReportFamily {
  /** Substring that marks a line as the start of a report of this family. */
  header: string;
  /** Tried in order; the one whose title appears earliest in the report wins (first on a tie). */
  formats: readonly ReportFormat[];
  /** Patterns of lines that contain the header but are not reports (boot chatter, other tools). */
  ignore?: readonly string[];
}
