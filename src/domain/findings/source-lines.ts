/**
 * Source lines of stack frames, the pure half: which lines of a report are frames
 * (`func+0x1c/0x40 [module]`), and how a report reads once its frames are resolved to
 * `file:line`. Resolving them (a debug binary and addr2line) is the log-harvest step's work.
 */

/** One frame of a report as the kernel printed it. */
export interface FrameRef {
  func: string;
  /** Offset into the function and the function's size, as printed (kallsyms' size). */
  offset: bigint;
  size: bigint;
  /** The module in brackets; undefined for the kernel itself. */
  module?: string | undefined;
  /**
   * The address is the faulting instruction (a `RIP:` line), not a return address: a return
   * address is looked up one byte back so it names the call, not the line after it.
   */
  exact: boolean;
}

/** One source location addr2line gave for an address. */
export interface SourceLocation {
  func: string;
  /** Path for people: relative to the kernel tree or module source when under one. */
  file: string;
  line: number;
  /** The path the debug info names, to read the line from when the source is at hand. */
  path: string;
}

/**
 * The locations of one frame, innermost first as `addr2line -i` gives them: every one but the
 * last is a function inlined into the next; the last is in the frame's own function.
 */
export type FrameSource = SourceLocation[];

/** The source location of a finding's guilty frame. */
export interface FindingSource {
  file: string;
  line: number;
  /** The line itself, when the source was at hand. */
  text?: string | undefined;
}

// `func+0xoff/0xsize [module]` at the end of a line, after blanks, `? ` or a `RIP: 0010:` prefix.
const FRAME = /(^|\s|RIP: [0-9a-f]{4}:)(\?\s+)?([A-Za-z_.$][\w.$]*)\+0x([0-9a-f]+)\/0x([0-9a-f]+)(?:\s+\[([\w-]+)\])?\s*$/;

/** The frame a report line names, or undefined when the line names none. */
export function parseFrameLine(line: string): FrameRef | undefined {
  const m = FRAME.exec(line);
  if (!m) return undefined;
  const offset = BigInt(`0x${m[4]}`);
  const size = BigInt(`0x${m[5]}`);
  return { func: m[3]!, offset, size, module: m[6], exact: m[1]!.startsWith('RIP') };
}

/** A key that is the same for every sighting of the same frame. */
export function frameKey(f: FrameRef): string {
  return `${f.module ?? ''}:${f.func}+${f.offset.toString(16)}/${f.size.toString(16)}:${f.exact ? 'x' : 'r'}`;
}

/** Every frame of a report text, in order. */
export function framesOf(text: string): FrameRef[] {
  const out: FrameRef[] = [];
  for (const line of text.split('\n')) {
    const f = parseFrameLine(line);
    if (f) out.push(f);
  }
  return out;
}

function at(loc: SourceLocation): string {
  return `${loc.file}:${loc.line}`;
}

/**
 * The report text with every resolved frame's `file:line` appended to its line, and the
 * functions inlined into it on lines of their own above it (innermost first, as a trace reads).
 */
export function annotateReport(text: string, sourceOf: (f: FrameRef) => FrameSource | undefined): string {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const f = parseFrameLine(line);
    const locs = f ? sourceOf(f) : undefined;
    if (!locs?.length) {
      out.push(line);
      continue;
    }
    const indent = /^\s*/.exec(line)![0];
    for (const inl of locs.slice(0, -1)) out.push(`${indent}${inl.func} ${at(inl)} [inlined]`);
    out.push(`${line.replace(/\s+$/, '')} ${at(locs[locs.length - 1]!)}`);
  }
  return out.join('\n');
}

// `.isra.0`, `.cold`, `.constprop.0`: gcc's clones keep the name of the function they came from.
function baseName(func: string): string {
  return func.replace(/\..*$/, '');
}

/**
 * The location of the guilty frame: the first frame of the report whose function is the
 * finding's frame, resolved; undefined when it has none.
 */
export function guiltySource(text: string, frame: string, sourceOf: (f: FrameRef) => FrameSource | undefined): SourceLocation | undefined {
  if (!frame) return undefined;
  for (const f of framesOf(text)) {
    if (baseName(f.func) !== baseName(frame)) continue;
    const locs = sourceOf(f);
    if (locs?.length) return locs[locs.length - 1];
  }
  return undefined;
}
