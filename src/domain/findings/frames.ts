/**
 * Finding the guilty frame(s) of a report by walking its lines with a compiled stack rule.
 */
import type { CompiledStack, StackPart } from './compiled-table';
import { matchesAny, PARSE_STACK } from './patterns';
import { demangleRust } from './rust-demangle';
import { CORRUPTING_LINES, FRAME_RES, STACK_START_RES, stripFramePrefix } from './stack-rules';

/** A frame as reported (`name`, prefix-stripped and bucketed) and as printed (`raw`). */
export interface FoundFrame {
  name: string;
  raw: string;
}

/** The frames of a report, one per stack the rule parses; `ok` false when one was missing or mixed. */
export interface FrameResult {
  frames: FoundFrame[];
  ok: boolean;
}

const CORRUPTED_FRAME: FoundFrame = { name: 'corrupted', raw: 'corrupted' };

function collect(into: string[], match: RegExpExecArray | null, skip: RegExp): void {
  if (!match) return;
  for (let i = 1; i < match.length; i++) {
    const captured = match[i];
    if (captured === undefined) continue;
    const frame = demangleRust(captured);
    if (skip.test(frame)) continue;
    into.push(frame);
  }
}

function pick(rule: CompiledStack, raw: string[]): FoundFrame | undefined {
  if (raw.length === 0) return undefined;
  const stripped = raw.map(stripFramePrefix);
  if (!rule.extractor) return { name: stripped[0] ?? '', raw: raw[0] ?? '' };
  const picked = rule.extractor(stripped);
  if (!picked || picked.name === '') return undefined;
  return { name: picked.name, raw: raw[picked.index] ?? picked.name };
}

function firstFrameMatch(line: string): RegExpExecArray | null {
  for (const re of FRAME_RES) {
    const m = re.exec(line);
    if (m) return m;
  }
  return null;
}

function walk(rule: CompiledStack, parts: StackPart[], lines: readonly string[]): FrameResult {
  const frames: FoundFrame[] = [];
  let raw: string[] = [];
  let ok = true;
  let stacks = 0;
  let at = 0;
  const flush = () => {
    const found = pick(rule, raw);
    if (!found) ok = false;
    frames.push(found ?? CORRUPTED_FRAME);
    raw = [];
  };
  for (let idx = 0; ; idx++) {
    const part = parts[idx];
    if (part === undefined || (part === PARSE_STACK && stacks > 0)) flush();
    if (part === undefined) break;
    if (part === PARSE_STACK) {
      stacks++;
      const next = parts[idx + 1];
      while (at < lines.length) {
        const line = lines[at++] ?? '';
        if (matchesAny(line, CORRUPTING_LINES)) {
          ok = false;
          break;
        }
        if (matchesAny(line, STACK_START_RES)) break;
        // The part after the stack may end it early (e.g. "Uninit was created at:").
        if (next !== undefined && next !== PARSE_STACK) {
          const m = next.exec(line);
          if (m) {
            collect(raw, m, rule.skip);
            idx++;
            break;
          }
        }
        collect(raw, firstFrameMatch(line), rule.skip);
      }
    } else {
      while (at < lines.length) {
        const line = lines[at++] ?? '';
        if (matchesAny(line, CORRUPTING_LINES)) {
          ok = false;
          break;
        }
        const m = part.exec(line);
        if (m) {
          collect(raw, m, rule.skip);
          break;
        }
      }
    }
  }
  return { frames, ok };
}

/** Walks `lines` (starting at the report's title line) with the rule, then with its fallback. */
export function findFrames(rule: CompiledStack, lines: readonly string[]): FrameResult {
  const first = walk(rule, rule.parts, lines);
  if (first.ok || rule.fallbackParts.length === 0) return first;
  return walk(rule, rule.fallbackParts, lines);
}
