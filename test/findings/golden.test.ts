/**
 * Golden tests: every file of the shared corpus and of our own fixtures is one case. A case
 * fails outright when the crash / no-crash decision is wrong; title and corrupted-flag
 * mismatches are printed (want/got) and counted, and the last test of each set enforces the
 * accuracy the parser must reach. RCDEBUG_GOLDEN_STRICT=1 makes every mismatch fail its case.
 *
 * RCDEBUG_GOLDEN_UPDATE=1 rewrites the expectations of the project's own fixtures from what the
 * parser gives now (review the diff before committing it); the external corpus is never
 * rewritten. Without the corpus (a user's clone), its set is left out and the global setup
 * says so in one line; `.ci/run` requires it.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseKernelLog } from '../../src/domain/findings/parse-log';
import { repoRoot } from '../../src/domain/paths';
import { availableCorpus } from '../support/corpus';
import { goldenFiles } from '../support/soak-stream';
import { readGolden, rewriteGolden } from './golden-file';

const strict = process.env.RCDEBUG_GOLDEN_STRICT === '1';
const update = process.env.RCDEBUG_GOLDEN_UPDATE === '1';

interface Outcome {
  file: string;
  titled: boolean;
  crashOk: boolean;
  titleOk: boolean;
  corruptedOk: boolean;
  /** TYPE and FRAME, where the file gives them, agree. */
  detailsOk: boolean;
}

function check(path: string, rewrite: boolean): { outcome: Outcome; messages: string[] } {
  let g = readGolden(path);
  const first = parseKernelLog(g.log)[0];
  if (rewrite) {
    const kept = first && g.alternativeTitles.includes(first.title) ? g.title : first?.title;
    rewriteGolden(path, { title: kept, type: first?.type, frame: first?.frame, corrupted: first?.corrupted ?? false });
    g = readGolden(path);
  }
  const messages: string[] = [];
  const crashOk = (g.title !== undefined) === (first !== undefined);
  if (!crashOk) messages.push(`crash: want ${g.title ?? '(no report)'}, got ${first?.title ?? '(no report)'}`);
  let titleOk = true;
  let corruptedOk = true;
  if (g.title !== undefined && first) {
    titleOk = first.title === g.title || g.alternativeTitles.includes(first.title);
    if (!titleOk) messages.push(`title: want "${g.title}"${g.alternativeTitles.length ? ` (or ${g.alternativeTitles.join(' | ')})` : ''}, got "${first.title}"`);
    corruptedOk = first.corrupted === g.corrupted;
    if (!corruptedOk) messages.push(`corrupted: want ${g.corrupted}, got ${first.corrupted} (${first.corruptedReason || 'no reason'})`);
    if (g.type !== undefined && first.type !== g.type) messages.push(`type: want ${g.type}, got ${first.type}`);
    if (g.frame !== undefined && first.frame !== g.frame) messages.push(`frame: want ${g.frame}, got ${first.frame}`);
  }
  const detailsOk = !messages.some((m) => m.startsWith('type:') || m.startsWith('frame:'));
  return { outcome: { file: path, titled: g.title !== undefined, crashOk, titleOk, corruptedOk, detailsOk }, messages };
}

function goldenSet(name: string, dir: string, thresholds: { title: number; corrupted: number }, owned: boolean) {
  describe(name, () => {
    const files = goldenFiles(dir);
    const outcomes: Outcome[] = [];

    it(`finds golden files in ${dir}`, () => {
      expect(existsSync(dir), `golden directory ${dir} does not exist (set RCDEBUG_CORPUS to the corpus folder)`).toBe(true);
      expect(files.length, `no golden files in ${dir}`).toBeGreaterThan(0);
    });

    it.each(files)('%s', (file) => {
      const { outcome, messages } = check(join(dir, file), owned && update);
      outcomes.push(outcome);
      if (messages.length) console.log(`${name}/${file}:\n  ${messages.join('\n  ')}`);
      expect(outcome.crashOk, messages.join('; ')).toBe(true);
      if (strict) expect(messages).toEqual([]);
    });

    afterAll(() => {
      const titled = outcomes.filter((o) => o.titled);
      const pct = (n: number, d: number) => (d === 0 ? 100 : (100 * n) / d).toFixed(1);
      console.log(
        `${name}: ${outcomes.length} files; crash decision ${pct(outcomes.filter((o) => o.crashOk).length, outcomes.length)}%, ` +
          `title ${pct(titled.filter((o) => o.titleOk).length, titled.length)}% (${titled.filter((o) => o.titleOk).length}/${titled.length}), ` +
          `corrupted flag ${pct(titled.filter((o) => o.corruptedOk).length, titled.length)}%, ` +
          `type and frame ${pct(titled.filter((o) => o.detailsOk).length, titled.length)}%`,
      );
    });

    it('reaches the accuracy thresholds', () => {
      expect(outcomes.length, 'the per-file cases did not run').toBe(files.length);
      const titled = outcomes.filter((o) => o.titled);
      expect(outcomes.filter((o) => !o.crashOk).map((o) => o.file)).toEqual([]);
      const titleRate = titled.filter((o) => o.titleOk).length / Math.max(1, titled.length);
      const corruptedRate = titled.filter((o) => o.corruptedOk).length / Math.max(1, titled.length);
      expect(titleRate, `title accuracy; wrong: ${titled.filter((o) => !o.titleOk).map((o) => o.file).join(', ')}`).toBeGreaterThanOrEqual(thresholds.title);
      expect(corruptedRate, `corrupted-flag accuracy; wrong: ${titled.filter((o) => !o.corruptedOk).map((o) => o.file).join(', ')}`).toBeGreaterThanOrEqual(thresholds.corrupted);
    });
  });
}

const corpus = availableCorpus();
if (corpus) goldenSet('corpus', corpus, { title: 0.95, corrupted: 0.9 }, false);
// Our own kernels' logs: every one must be right.
goldenSet('fixtures', resolve(repoRoot, 'test/fixtures/findings'), { title: 1, corrupted: 1 }, true);
