/**
 * The external corpus of kernel reports (`../shared/corpus/kernel-reports` beside the checkout,
 * or `$RCDEBUG_CORPUS`). It is not part of the repository: `.ci/run` requires it
 * (`RCDEBUG_REQUIRE_CORPUS=1`, a missing corpus fails the run), while on a user's clone without
 * it the corpus cases are left out and the test run says so in one line.
 */
import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { repoRoot } from '../../src/domain/paths';

/** Where the corpus is expected. */
export const corpusDir: string = process.env.RCDEBUG_CORPUS ?? resolve(repoRoot, '../shared/corpus/kernel-reports');

/** Whether a missing corpus is a failure (CI) rather than a note. */
export const corpusRequired = process.env.RCDEBUG_REQUIRE_CORPUS === '1';

/** The corpus directory when it is there, else undefined. */
export function availableCorpus(): string | undefined {
  return existsSync(corpusDir) && readdirSync(corpusDir).length > 0 ? corpusDir : undefined;
}

/** The one line a run without the corpus prints; undefined when the corpus is there. */
export function corpusNote(): string | undefined {
  if (availableCorpus()) return undefined;
  return `rcdebug: the external kernel-report corpus is not at ${corpusDir}: its golden, transport and prefix cases did not run (set RCDEBUG_CORPUS to run them)`;
}

/** Fails a run that requires the corpus and lacks it, naming where it was looked for. */
export function assertCorpusWhenRequired(): void {
  if (corpusRequired && !availableCorpus()) {
    throw new Error(`RCDEBUG_REQUIRE_CORPUS=1 but the kernel-report corpus is not at ${corpusDir}: put it there or set RCDEBUG_CORPUS`);
  }
}
