/**
 * Turning the text of one report into its title, alternative titles and damage assessment,
 * by applying the rows of its family.
 */
import type { CompiledFamily, CompiledFormat } from './compiled-table';
import { findFrames, type FoundFrame } from './frames';
import { matchesAny } from './patterns';
import { FRAME_PREFIXES, FRAME_RES, STACK_START_RES } from './stack-rules';

/** The raw (not yet normalised) description of a report. */
export interface Description {
  title: string;
  alternativeTitles: string[];
  /** Why the report is damaged, empty when it is not. */
  corruptedReason: string;
  format?: CompiledFormat | undefined;
}

function fill(template: string, args: readonly string[], frames: readonly string[]): string {
  return template.replace(/\{(frame\d*|\d+)\}/g, (_, key: string) => {
    if (key.startsWith('frame')) return frames[key === 'frame' ? 0 : Number(key.slice(5)) - 1] ?? '';
    return args[Number(key) - 1] ?? '';
  });
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}

/** Alternative titles from the frames as printed, with and without each syscall prefix. */
function frameVariants(frames: readonly FoundFrame[]): string[][] {
  const variants = [frames.map((f) => f.raw)];
  for (const prefix of FRAME_PREFIXES) {
    if (frames.some((f) => f.raw.startsWith(prefix))) {
      variants.push(frames.map((f) => (f.raw.startsWith(prefix) ? f.raw.slice(prefix.length) : f.raw)));
    }
  }
  return variants;
}

/**
 * Applies the family's formats to `text` (the report, starting at its header line). The
 * format whose title occurs first wins; on a tie the earlier row. A title that matched but
 * whose `report` pattern did not leaves the report corrupted and titled by its header line.
 */
export function describe(family: CompiledFamily, text: string): Description {
  let best: Description | undefined;
  let bestAt = Number.POSITIVE_INFINITY;
  let titleMatched = false;
  for (const format of family.formats) {
    const titleMatch = format.title.exec(text);
    if (!titleMatch || titleMatch.index > bestAt) continue;
    if (titleMatch.index === bestAt && best) continue;
    if (titleMatch.index < bestAt) {
      best = undefined;
      bestAt = titleMatch.index;
    }
    titleMatched = true;
    const match = format.report ? format.report.exec(text) : titleMatch;
    if (!match) continue;
    const args = match.slice(1).map((s) => s ?? '');
    let frames: FoundFrame[] = [];
    let corruptedReason = '';
    if (format.stack) {
      const found = findFrames(format.stack, text.slice(match.index).split('\n'));
      frames = found.frames;
      if (!found.ok) corruptedReason = 'extracted no frames';
    }
    const names = frames.map((f) => f.name);
    const title = fill(format.source.output, args, names);
    const alts = (format.source.alt ?? []).map((a) => fill(a, args, names));
    for (const variant of frameVariants(frames)) {
      const t = fill(format.source.output, args, variant);
      if (t !== title) alts.push(t);
      for (const a of format.source.alt ?? []) alts.push(fill(a, args, variant));
    }
    if (!corruptedReason && format.source.corrupted) corruptedReason = 'the format marks the report as corrupted';
    best = { title, alternativeTitles: unique(alts).filter((a) => a !== title), corruptedReason, format };
  }
  if (best) return best;
  // No row described it: the header line itself is the best title there is.
  const at = text.indexOf(family.header);
  const end = text.indexOf('\n', at);
  return {
    title: at < 0 ? '' : text.slice(at, end < 0 ? undefined : end),
    alternativeTitles: [],
    corruptedReason: titleMatched ? 'matched the title but not the report pattern' : '',
  };
}

const TIMESTAMP_IN_TITLE = /\[ *[0-9]+\.[0-9]+\]/;

/**
 * Whether a report is damaged although its format matched: a timestamp glued into the title,
 * or a stack trace header with no frame after it, or no stack trace at all where the format
 * expects one. `text` is the whole report as collected.
 */
export function corruptionOf(title: string, text: string, format: CompiledFormat | undefined): string {
  if (TIMESTAMP_IN_TITLE.test(title)) return 'a timestamp is inside the title';
  if (!format || format.source.noStackTrace) return '';
  let hasTrace = false;
  for (const start of STACK_START_RES) {
    const m = start.exec(text);
    if (!m) continue;
    const lines = text.slice(m.index).split('\n');
    if (lines.length < 4) return 'the call trace is missing';
    let framed = false;
    for (let i = 1; i < 16 && i < lines.length; i++) {
      const line = lines[i] ?? '';
      if (matchesAny(line, STACK_START_RES)) break;
      if (line.includes('(stack is not available)') || matchesAny(line, FRAME_RES)) {
        framed = true;
        break;
      }
    }
    if (!framed) return 'a stack trace has no frames';
    hasTrace = true;
  }
  return hasTrace ? '' : 'the report has no stack trace';
}
