/**
 * Soak-like console streams built from golden logs: every log in turn, each followed by a
 * deterministic 200-2000 lines of ordinary noise, as a long soak's console looks. The stream
 * test and the findings bench both build their streams here, so they measure the same thing.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { KernelReport } from '../../src/domain/findings/kernel-report';
import { parseKernelLog } from '../../src/domain/findings/parse-log';
import { readGolden, type GoldenCase } from '../findings/golden-file';

/** Lines a healthy kernel and its user space print all the time. */
export const NOISE: readonly string[] = [
  '[ 1234.567890] IPv6: ADDRCONF(NETDEV_CHANGE): eth0: link becomes ready',
  '[ 1234.567891] audit: type=1400 audit(1700000000.123:42): avc:  denied  { read } for  pid=812 comm="agent" name="kmsg" dev="devtmpfs" ino=11 permissive=1',
  '[ 1234.567892] EXT4-fs (vda1): mounted filesystem with ordered data mode. Quota mode: none.',
  '[ 1234.567893] kbug: worker 3 processed 4096 requests in 12 ms',
  '[ 1234.567894] systemd[1]: Started Session 7 of User root.',
  '[ 1234.567895] random: crng init done',
  '[ 1234.567896] virtio_net virtio0 eth0: renamed from veth1a2b3c',
  '[ 1234.567897] cgroup: fork rejected by pids controller in /kubepods/burstable/pod1234',
];

/** A small seeded generator (mulberry32): the same seed gives the same stream on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The golden files of a folder (no extension, no readme), in a stable order. */
export function goldenFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => !f.includes('.') && !/^readme/i.test(f))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

/** The golden cases of a folder, read once. */
export function goldenCases(dir: string): GoldenCase[] {
  return goldenFiles(dir).map((f) => readGolden(join(dir, f)));
}

/** Where one golden log sits in a stream: its 1-based first and last line. */
export interface EmbeddedLog {
  golden: GoldenCase;
  firstLine: number;
  lastLine: number;
}

/** A stream and where each log sits in it. */
export interface SoakStream {
  text: string;
  parts: EmbeddedLog[];
}

/** The log as lines, without the empty line after its final newline. */
function linesOf(log: string): string[] {
  const lines = log.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * Every case's log in turn, each followed by `minNoise` to `maxNoise` lines of NOISE drawn by a
 * generator seeded with `seed`.
 */
export function buildSoakStream(cases: readonly GoldenCase[], opts: { seed?: number; minNoise?: number; maxNoise?: number } = {}): SoakStream {
  const random = seededRandom(opts.seed ?? 15);
  const minNoise = opts.minNoise ?? 200;
  const maxNoise = opts.maxNoise ?? 2000;
  const out: string[] = [];
  const parts: EmbeddedLog[] = [];
  for (const golden of cases) {
    const lines = linesOf(golden.log);
    parts.push({ golden, firstLine: out.length + 1, lastLine: out.length + lines.length });
    out.push(...lines);
    const noise = minNoise + Math.floor(random() * (maxNoise - minNoise + 1));
    for (let k = 0; k < noise; k++) out.push(NOISE[Math.floor(random() * NOISE.length)]!);
  }
  return { text: out.join('\n') + '\n', parts };
}

/** The fields of a report that must not depend on what surrounds its log. */
export interface ReportKey {
  title: string;
  type: string;
  frame: string;
  corrupted: boolean;
}

function keyOf(r: KernelReport | undefined): ReportKey | undefined {
  return r && { title: r.title, type: r.type, frame: r.frame, corrupted: r.corrupted };
}

/** How the stream's reports of one embedded log compare with its own parse and its golden header. */
export interface StreamOutcome extends Verdict {
  file: string;
  /** First report, parsed from the stream and from the log alone. */
  stream: ReportKey | undefined;
  alone: ReportKey | undefined;
  /** Every report (titles, types, frames, corrupted) is the same in the stream as alone. */
  sameReports: boolean;
}

function sameKeys(a: readonly (ReportKey | undefined)[], b: readonly (ReportKey | undefined)[]): boolean {
  return a.length === b.length && a.every((k, i) => JSON.stringify(k) === JSON.stringify(b[i]));
}

/**
 * Parses the stream once, gives each report to the embedded log whose lines hold its header,
 * and compares per log with the log parsed alone and with its golden header.
 */
export function scoreStream(stream: SoakStream, reports: readonly KernelReport[] = parseKernelLog(stream.text)): StreamOutcome[] {
  const outcomes: StreamOutcome[] = [];
  let at = 0;
  for (const part of stream.parts) {
    while (at < reports.length && reports[at]!.startLine < part.firstLine) at++;
    const mine: KernelReport[] = [];
    for (let i = at; i < reports.length && reports[i]!.startLine <= part.lastLine; i++) mine.push(reports[i]!);
    const alone = parseKernelLog(part.golden.log);
    const g = part.golden;
    outcomes.push({
      file: g.file,
      stream: keyOf(mine[0]),
      alone: keyOf(alone[0]),
      sameReports: sameKeys(mine.map(keyOf), alone.map(keyOf)),
      ...verdict(g, mine[0]),
    });
  }
  return outcomes;
}

/** Crash decision over all logs, title and corrupted flag over the logs that hold a report, in %. */
export interface Accuracy {
  logs: number;
  crash: number;
  title: number;
  corrupted: number;
}

/** Accuracy of outcomes that carry the three verdicts. */
export function accuracyOf(outcomes: readonly Verdict[]): Accuracy {
  const titled = outcomes.filter((o) => o.titled);
  const pct = (n: number, d: number) => (d === 0 ? 100 : (100 * n) / d);
  return {
    logs: outcomes.length,
    crash: pct(outcomes.filter((o) => o.crashOk).length, outcomes.length),
    title: pct(titled.filter((o) => o.titleOk).length, titled.length),
    corrupted: pct(titled.filter((o) => o.corruptedOk).length, titled.length),
  };
}

/** The verdicts of a golden header on the first report found for its log. */
export interface Verdict {
  titled: boolean;
  crashOk: boolean;
  titleOk: boolean;
  corruptedOk: boolean;
}

/** Judges `first` (the first report found for the log) against the golden header. */
export function verdict(g: GoldenCase, first: KernelReport | undefined): Verdict {
  const titled = g.title !== undefined;
  return {
    titled,
    crashOk: titled === (first !== undefined),
    titleOk: !titled || (first !== undefined && (first.title === g.title || g.alternativeTitles.includes(first.title))),
    corruptedOk: !titled || (first !== undefined && first.corrupted === g.corrupted),
  };
}

/** `crash 100.0 %, title 99.7 %, corrupted 99.2 %`. */
export function formatAccuracy(a: Accuracy): string {
  return `crash decision ${a.crash.toFixed(1)} %, first title ${a.title.toFixed(1)} %, corrupted flag ${a.corrupted.toFixed(1)} %`;
}
