/**
 * Source lines for the findings of log-harvest: every frame of every finding's report that
 * belongs to the kernel or a module the cloud has a debug binary of is resolved to `file:line`
 * (inlined functions included), and each finding gets its guilty frame's line. A binary that
 * does not match the console gives no lines, only a warning; without a symbolizer or binaries
 * the frames stay raw and the report says why.
 */
import { open, readFile } from 'node:fs/promises';
import { existsSync, realpathSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import type { StepIO } from '../../src/domain/contract';
import {
  annotateReport, frameKey, framesOf, guiltySource,
  type Finding, type FindingsResult, type FrameRef, type FrameSource, type SourceLocation,
} from '../../src/domain/findings/index';
import { resolveTool } from '../../scripts/toolchain.mjs';
import { addr2lineBatch, type RawLocation } from './addr2line';
import type { DebugBinaries, DebugInfo } from './debug-binaries';
import { readSymbols, type ElfSymbol } from './elf-symbols';

/** Tools to use instead of the tool table's (tests point them at a missing file). */
export interface SymbolizeOptions {
  addr2line?: string | undefined;
  nm?: string | undefined;
  io?: StepIO | undefined;
}

const BANNER_BYTES = 4 * 1024 * 1024;

/** The release in the first `Linux version` line of a console log, or undefined when it has none. */
export async function consoleRelease(path: string): Promise<string | undefined> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(BANNER_BYTES);
    const { bytesRead } = await fh.read(buf, 0, BANNER_BYTES, 0);
    return /Linux version (\S+)/.exec(buf.subarray(0, bytesRead).toString('latin1'))?.[1];
  } finally {
    await fh.close();
  }
}

/** The findings with source lines, or unchanged but saying why there are none. */
export async function symbolizeFindings(result: FindingsResult, debug: DebugInfo, opts: SymbolizeOptions = {}): Promise<FindingsResult> {
  const raw = (why: string): FindingsResult => ({ ...result, sourceLines: `Source lines: none, frames are raw: ${why}.` });
  if ('unavailable' in debug) return raw(debug.unavailable);
  if (!debug.vmlinux && Object.keys(debug.modules).length === 0) return raw('the cloud handed no debug binaries');
  let tools: { addr2line: string; nm: string };
  try {
    tools = { addr2line: opts.addr2line ?? resolveTool('addr2line').path, nm: opts.nm ?? resolveTool('nm').path };
  } catch (err) {
    return raw((err as Error).message.split('\n')[0]!);
  }
  const warnings: string[] = [];
  const eligible = await matchingConsoles(result.findings, debug, warnings);
  const frames = new Map<string, FrameRef>();
  for (const f of result.findings) if (eligible.has(f)) for (const fr of framesOf(f.report)) frames.set(frameKey(fr), fr);
  let sources: Map<string, FrameSource>;
  try {
    sources = await resolveFrames([...frames.values()], debug, tools, warnings, opts.io);
  } catch (err) {
    return { ...raw((err as Error).message.split('\n')[0]!), warnings: [...result.warnings, ...warnings] };
  }
  const sourceOf = (fr: FrameRef) => sources.get(frameKey(fr));
  const texts = new SourceTexts();
  const findings: Finding[] = [];
  for (const f of result.findings) {
    if (!eligible.has(f)) {
      findings.push(f);
      continue;
    }
    const guilty = guiltySource(f.report, f.frame, sourceOf);
    const source = guilty ? { file: guilty.file, line: guilty.line, text: await texts.line(guilty, debug.sourceRoots) } : undefined;
    findings.push({ ...f, report: annotateReport(f.report, sourceOf), ...(source ? { source } : {}) });
  }
  const binaries = [debug.vmlinux, ...Object.values(debug.modules)].filter((b): b is string => !!b).map((b) => basename(b));
  const note = `Source lines: ${sources.size} of ${frames.size} frame(s) resolved with addr2line from ${binaries.join(', ')}${debug.release ? ` (${debug.release})` : ''}.`;
  return { ...result, findings, warnings: [...result.warnings, ...warnings], sourceLines: note };
}

/** The findings whose console booted the release the binaries were built as (or does not say). */
async function matchingConsoles(findings: Finding[], debug: DebugBinaries, warnings: string[]): Promise<Set<Finding>> {
  const releases = new Map<string, string | undefined>();
  const ok = new Set<Finding>();
  for (const f of findings) {
    const log = f.firstSeen?.source;
    if (!log) continue;
    if (!releases.has(log)) {
      const release = existsSync(log) ? await consoleRelease(log) : undefined;
      releases.set(log, release);
      if (release && debug.release && release !== debug.release) {
        warnings.push(`${log}: the console booted Linux ${release} but the debug binaries are of ${debug.release}: its frames keep no source lines`);
      }
    }
    const release = releases.get(log);
    if (!release || !debug.release || release === debug.release) ok.add(f);
  }
  return ok;
}

/** Where a frame is in its binary, once its symbol checked out. */
interface Placed {
  frame: FrameRef;
  section: string;
  address: bigint;
}

/** Resolves the frames: per binary one nm and one addr2line per section of the frames in it. */
async function resolveFrames(
  frames: FrameRef[], debug: DebugBinaries, tools: { addr2line: string; nm: string }, warnings: string[], io?: StepIO,
): Promise<Map<string, FrameSource>> {
  const byBinary = new Map<string, FrameRef[]>();
  for (const f of frames) {
    const binary = f.module ? debug.modules[f.module] : debug.vmlinux;
    if (!binary) continue;
    byBinary.set(binary, [...(byBinary.get(binary) ?? []), f]);
  }
  const out = new Map<string, FrameSource>();
  const roots = debug.sourceRoots.map(real);
  for (const [binary, list] of byBinary) {
    const relocatable = binary.endsWith('.ko');
    const symbols = await readSymbols(tools.nm, binary, new Set(list.map((f) => f.func)), io);
    const placed: Placed[] = [];
    const misfits: string[] = [];
    for (const f of list) {
      const sym = (symbols.get(f.func) ?? []).find((s) => fits(s, f));
      if (!sym) {
        misfits.push(`${f.func}+0x${f.offset.toString(16)}/0x${f.size.toString(16)}`);
        continue;
      }
      // A return address is looked up one byte back: the call, not the line after it.
      placed.push({ frame: f, section: sym.section, address: sym.address + f.offset - (f.exact || f.offset === 0n ? 0n : 1n) });
    }
    if (misfits.length) {
      warnings.push(`${binary} does not match the console for ${misfits.length} of ${list.length} frame(s) (${misfits.slice(0, 3).join(', ')}): they keep no source lines`);
    }
    const sections = new Map<string, Placed[]>();
    for (const p of placed) {
      const key = relocatable ? p.section : '';
      sections.set(key, [...(sections.get(key) ?? []), p]);
    }
    for (const [section, ps] of sections) {
      const locs = await addr2lineBatch(tools.addr2line, binary, section || undefined, [...new Set(ps.map((p) => p.address))], io);
      for (const p of ps) {
        const l = locs.get(p.address);
        if (l) out.set(frameKey(p.frame), l.map((r) => located(r, roots)));
      }
    }
  }
  return out;
}

/**
 * Whether a definition is the function the console printed: the offset lies inside it, and the
 * printed size (kallsyms': up to the next symbol) is at least its own and at most that gap.
 */
function fits(s: ElfSymbol, f: FrameRef): boolean {
  if (f.offset >= f.size || f.size < s.size) return false;
  return s.gap === undefined || f.size <= s.gap;
}

function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

function located(r: RawLocation, roots: string[]): SourceLocation {
  const root = roots.find((d) => r.path.startsWith(`${d}/`));
  return { func: r.func, line: r.line, path: r.path, file: root ? r.path.slice(root.length + 1) : r.path };
}

/** Source files read once each, for the guilty lines. */
class SourceTexts {
  private files = new Map<string, string[] | undefined>();

  async line(loc: SourceLocation, roots: string[]): Promise<string | undefined> {
    const candidates = isAbsolute(loc.path) ? [loc.path] : roots.map((r) => join(r, loc.path));
    for (const path of candidates) {
      if (!this.files.has(path)) this.files.set(path, existsSync(path) ? (await readFile(path, 'utf8')).split('\n') : undefined);
      const text = this.files.get(path)?.[loc.line - 1];
      if (text !== undefined) return text;
    }
    return undefined;
  }
}
