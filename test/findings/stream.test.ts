/**
 * Streams: a soak's console is hours of output with many reports. Every golden log (of the
 * shared corpus, when it is there, and of our fixtures) is joined into one stream, each followed
 * by 200-2000 lines of ordinary noise from a seeded generator. The stream is parsed once; each
 * report goes to the embedded log whose lines hold its header, and per log its reports must be
 * the ones the log gives parsed alone (title, type, frame, corrupted) and must meet the golden
 * expectations as well as the per-file parse does.
 */
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseKernelLog } from '../../src/domain/findings/parse-log';
import { repoRoot } from '../../src/domain/paths';
import { availableCorpus } from '../support/corpus';
import { accuracyOf, buildSoakStream, formatAccuracy, goldenCases, NOISE, scoreStream, type StreamOutcome } from '../support/soak-stream';

const fixturesDir = resolve(repoRoot, 'test/fixtures/findings');

function streamSet(name: string, dir: string, targets: { crash: number; title: number; corrupted: number }) {
  describe(`${name} as one stream`, () => {
    const stream = buildSoakStream(goldenCases(dir));
    const outcomes = scoreStream(stream);
    const seen: StreamOutcome[] = [];

    it(`embeds every golden log of ${dir}`, () => {
      expect(stream.parts.length).toBeGreaterThan(0);
      expect(outcomes.length).toBe(stream.parts.length);
    });

    it.each(outcomes.map((o) => [o.file.slice(dir.length + 1), o] as const))('%s: the same reports as parsed alone', (_, o) => {
      seen.push(o);
      expect(o.stream, 'first report in the stream vs the log alone').toEqual(o.alone);
      expect(o.sameReports, 'every report of the log (title, type, frame, corrupted)').toBe(true);
    });

    afterAll(() => console.log(`${name} stream: ${outcomes.length} logs; ${formatAccuracy(accuracyOf(outcomes))}`));

    it('meets the golden expectations at the targets', () => {
      expect(seen.length, 'the per-log cases did not run').toBe(outcomes.length);
      const a = accuracyOf(outcomes);
      const wrong = (pick: (o: StreamOutcome) => boolean) => outcomes.filter((o) => !pick(o)).map((o) => o.file).join(', ');
      expect(a.crash, `crash decision; wrong: ${wrong((o) => o.crashOk)}`).toBeGreaterThanOrEqual(targets.crash);
      expect(a.title, `first title; wrong: ${wrong((o) => o.titleOk)}`).toBeGreaterThanOrEqual(targets.title);
      expect(a.corrupted, `corrupted flag; wrong: ${wrong((o) => o.corruptedOk)}`).toBeGreaterThanOrEqual(targets.corrupted);
    });
  });
}

const corpus = availableCorpus();
if (corpus) streamSet('corpus', corpus, { crash: 100, title: 99.5, corrupted: 99 });
streamSet('fixtures', fixturesDir, { crash: 100, title: 100, corrupted: 100 });

describe('where a report ends in a stream', () => {
  const byName = new Map(goldenCases(fixturesDir).map((g) => [g.file.slice(fixturesDir.length + 1), g.log]));
  const log = (name: string) => {
    const text = byName.get(name);
    if (text === undefined) throw new Error(`fixture ${name} is missing from ${fixturesDir}`);
    return text.endsWith('\n') ? text : text + '\n';
  };
  const noise = (n: number) => Array.from({ length: n }, (_, i) => NOISE[i % NOISE.length]!).join('\n') + '\n';

  it('a panic header far after a finished report opens its own report', () => {
    const reports = parseKernelLog(log('kbug-kasan-uaf') + noise(300) + log('kbug-stack-protector'));
    expect(reports.map((r) => r.title)).toEqual([
      ...parseKernelLog(log('kbug-kasan-uaf')).map((r) => r.title),
      ...parseKernelLog(log('kbug-stack-protector')).map((r) => r.title),
    ]);
  });

  it('ends a report within its bounded tail, not at the next report', () => {
    const text = log('kbug-kasan-uaf') + noise(300);
    const [first] = parseKernelLog(text);
    const lastOwn = log('kbug-kasan-uaf').split('\n').length;
    expect(first).toBeDefined();
    expect(first!.endLine).toBeLessThanOrEqual(lastOwn + 100);
  });

  it('a console disconnect before a report does not mark it corrupted', () => {
    const alone = parseKernelLog(log('kbug-kasan-uaf'));
    const reports = parseKernelLog(noise(20) + '[ 1234.567898] serialport: VM disconnected.\n' + noise(300) + log('kbug-kasan-uaf'));
    expect(alone[0]?.corrupted).toBe(false);
    expect(reports.map((r) => [r.title, r.corrupted])).toEqual(alone.map((r) => [r.title, r.corrupted]));
  });

  it('a console disconnect inside a report marks that report, and not the next one', () => {
    const uaf = log('kbug-kasan-uaf').split('\n');
    const cut = [...uaf.slice(0, 12), '[ 1234.567898] serialport: VM disconnected.', ...uaf.slice(12)].join('\n');
    const reports = parseKernelLog(cut + noise(300) + log('kbug-kasan-double-free'));
    expect(reports.map((r) => r.corrupted)).toEqual([true, false]);
    expect(reports[0]!.corruptedReason).toBe('the console disconnected');
  });
});
