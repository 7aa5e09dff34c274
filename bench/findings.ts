/**
 * Findings benchmark: throughput of the streaming parser on a large log built from the
 * corpus and boot noise, and its peak memory on a 1 GiB log (in a child process, so the
 * figure is the parser's alone).
 *
 * `npm run bench` runs it through bench/index.ts; `npx tsx bench/findings.ts` runs it alone.
 * RCDEBUG_BENCH_FINDINGS_MB sets the throughput log's size (default 256),
 * RCDEBUG_BENCH_FINDINGS_BIG_MB the memory log's (default 1024).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseKernelLog, parseKernelLogFile } from '../src/domain/findings/parse-log';
import { repoRoot } from '../src/domain/paths';
import type { GoldenCase } from '../test/findings/golden-file';
import { availableCorpus } from '../test/support/corpus';
import { accuracyOf, buildSoakStream, formatAccuracy, goldenCases, NOISE, scoreStream, verdict } from '../test/support/soak-stream';
import { benchNumber } from './bench-env';

const fixturesDir = resolve(repoRoot, 'test/fixtures/findings');

const MiB = 1 << 20;

/** The golden logs of the corpus, or of our fixtures when the corpus is absent. */
function sampleCases(): GoldenCase[] {
  return goldenCases(availableCorpus() ?? fixturesDir);
}

/** The raw logs of the corpus (headers removed), or of our fixtures when the corpus is absent. */
function sampleLogs(): string[] {
  return sampleCases().map((g) => g.log);
}

/**
 * About 16 MiB of log: every sample log in turn, each followed by `minNoise` to `maxNoise`
 * lines of noise (0 and 0: reports back to back, the worst case for the parser).
 */
function buildBlock(minNoise: number, maxNoise: number): Buffer {
  const parts: string[] = [];
  let size = 0;
  let i = 0;
  const logs = sampleLogs();
  while (size < 16 * MiB) {
    for (const log of logs) {
      parts.push(log.endsWith('\n') ? log : log + '\n');
      const noise = minNoise + ((i * 7919) % (maxNoise - minNoise + 1));
      for (let k = 0; k < noise; k++) parts.push(NOISE[(i + k) % NOISE.length]! + '\n');
      size += log.length + noise * 100;
      i++;
    }
  }
  return Buffer.from(parts.join(''), 'latin1');
}

async function writeLog(path: string, mib: number, block: Buffer): Promise<number> {
  const fh = await open(path, 'w');
  let written = 0;
  try {
    while (written < mib * MiB) {
      await fh.write(block);
      written += block.length;
    }
  } finally {
    await fh.close();
  }
  return written;
}

interface ParseRun {
  reports: number;
  /** Wall-clock seconds: inflated when other processes share the CPU. */
  seconds: number;
  /** CPU seconds of this (single-threaded) process: the parser's own cost. */
  cpuSeconds: number;
}

async function timedParse(path: string): Promise<ParseRun> {
  const start = performance.now();
  const cpu = process.cpuUsage();
  let reports = 0;
  await parseKernelLogFile(path, { onReport: () => reports++, keep: false });
  const used = process.cpuUsage(cpu);
  return { reports, seconds: (performance.now() - start) / 1000, cpuSeconds: (used.user + used.system) / 1e6 };
}

/** In the child: parse one file, print what it found and the peak RSS as JSON. */
async function child(path: string): Promise<void> {
  const run = await timedParse(path);
  console.log(JSON.stringify({ ...run, maxRssKiB: process.resourceUsage().maxRSS }));
}

/**
 * Accuracy against the golden headers, per file (each log parsed alone) and in a stream (every
 * log in turn, each followed by 200-2000 lines of seeded noise, parsed once), for the corpus
 * when it is there and for our fixtures.
 */
function benchStreamAccuracy(): void {
  const sets = [...(availableCorpus() ? [{ name: 'corpus', dir: availableCorpus()! }] : []), { name: 'fixtures', dir: fixturesDir }];
  for (const set of sets) {
    const cases = goldenCases(set.dir);
    const perFile = accuracyOf(cases.map((g) => verdict(g, parseKernelLog(g.log)[0])));
    const stream = buildSoakStream(cases);
    const start = performance.now();
    const reports = parseKernelLog(stream.text);
    const seconds = (performance.now() - start) / 1000;
    const outcomes = scoreStream(stream, reports);
    const same = outcomes.filter((o) => o.sameReports).length;
    const target = set.name === 'corpus' ? { crash: 100, title: 99.5, corrupted: 99 } : { crash: 100, title: 100, corrupted: 100 };
    const a = accuracyOf(outcomes);
    const met = a.crash >= target.crash && a.title >= target.title && a.corrupted >= target.corrupted;
    console.log(`  accuracy, ${set.name} (${cases.length} logs):`);
    console.log(`    per file: ${formatAccuracy(perFile)}`);
    console.log(
      `    stream:   ${formatAccuracy(a)} (${(stream.text.length / MiB).toFixed(1)} MiB, ${reports.length} reports in ${seconds.toFixed(1)} s; ` +
        `${same}/${outcomes.length} logs give the same reports as alone; target >= ${target.crash}/${target.title}/${target.corrupted}: ${met ? 'met' : 'NOT met'})`,
    );
  }
}

function rate(bytes: number, seconds: number): string {
  return `${(bytes / MiB / seconds).toFixed(1)} MiB/s`;
}

/** Runs the findings benchmark and prints its figures. */
export async function benchFindings(): Promise<void> {
  const sizeMiB = benchNumber('RCDEBUG_BENCH_FINDINGS_MB', 256);
  const bigMiB = benchNumber('RCDEBUG_BENCH_FINDINGS_BIG_MB', 1024);
  const dir = mkdtempSync(join(tmpdir(), 'rcdebug-bench-findings-'));
  try {
    console.log('findings: accuracy against the golden headers, each log parsed alone and all of them in one soak-like stream');
    benchStreamAccuracy();
    console.log('findings: streaming parser (single-threaded; MiB/s by CPU time, wall time in brackets)');
    const mixes = [
      { name: 'soak-like: each corpus log within 200-2000 lines of boot noise', block: buildBlock(200, 2000), target: true },
      { name: 'worst case: corpus logs back to back, no noise', block: buildBlock(0, 0), target: false },
    ];
    for (const mix of mixes) {
      const file = join(dir, 'soak.log');
      const bytes = await writeLog(file, sizeMiB, mix.block);
      const run = await timedParse(file);
      const mbps = bytes / MiB / run.cpuSeconds;
      const verdict = mix.target ? ` (target >= 50: ${mbps >= 50 ? 'met' : 'NOT met'})` : '';
      console.log(`  throughput, ${mix.name}: ${(bytes / MiB).toFixed(0)} MiB, ${run.reports} reports, ${run.cpuSeconds.toFixed(2)} s CPU = ${mbps.toFixed(1)} MiB/s [${rate(bytes, run.seconds)} wall]${verdict}`);
      rmSync(file);
    }

    const big = join(dir, 'big.log');
    const bigBytes = await writeLog(big, bigMiB, mixes[0]!.block);
    const self = fileURLToPath(import.meta.url);
    const run = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', big], { cwd: repoRoot, encoding: 'utf8', maxBuffer: 16 * MiB });
    if (run.status !== 0) throw new Error(`findings bench child failed (exit ${run.status}): ${run.stderr}`);
    const r = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as ParseRun & { maxRssKiB: number };
    const rssMiB = r.maxRssKiB / 1024;
    console.log(`  peak memory: ${(bigBytes / MiB).toFixed(0)} MiB soak-like log in a child process, ${r.reports} reports, ${rate(bigBytes, r.cpuSeconds)} [${rate(bigBytes, r.seconds)} wall], peak RSS ${rssMiB.toFixed(0)} MiB (target < 300: ${rssMiB < 300 ? 'met' : 'NOT met'})`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const invokedAs = process.argv[1] ? resolve(process.argv[1]) : '';
if (invokedAs === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--child');
  if (at > 0) await child(process.argv[at + 1] ?? '');
  else await benchFindings();
}
