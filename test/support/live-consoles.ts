/**
 * Console text for tests of the soak's live findings: real kernel reports from the golden
 * findings files, and ordinary workload lines between them.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The golden findings files, found from this file (tests and the bench both load it). */
const GOLDEN_DIR = fileURLToPath(new URL('../fixtures/findings/', import.meta.url));

/** The log of a golden findings file (`test/fixtures/findings/<name>`), without its expectation lines. */
export function goldenLog(name: string): string {
  const text = readFileSync(GOLDEN_DIR + name, 'utf8');
  return text.slice(text.indexOf('\n\n') + 2);
}

/** `n` ordinary workload lines, timestamped from second `from` on. */
export function workloadNoise(from: number, n: number): string {
  return Array.from({ length: n }, (_, i) => `[  ${from + i}.000000] workload: iteration ${from + i} ok\n`).join('');
}

/** The planted use-after-free as the console prints it, followed by enough output to finish it. */
export const UAF_CONSOLE = goldenLog('kbug-kasan-uaf') + workloadNoise(100, 150);
/** Its title. */
export const UAF_TITLE = 'KASAN: use-after-free Read in kbug_uaf_read';

/** The first expected title of a golden findings file. */
export function goldenTitle(name: string): string {
  const text = readFileSync(GOLDEN_DIR + name, 'utf8');
  return /^TITLE: (.*)$/m.exec(text)?.[1] ?? '';
}
