/** RCDEBUG_GOLDEN_UPDATE's rewrite of a golden header: expectations replaced, the rest kept. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { readGolden, rewriteGolden } from './golden-file';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function golden(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'rcdebug-golden-'));
  dirs.push(dir);
  const file = join(dir, 'case');
  writeFileSync(file, text, 'latin1');
  return file;
}

// A log with a byte that is not UTF-8 and a REPORT: section, which must survive unchanged.
const log = '[   1.0] BUG: KASAN: use-after-free in f\xe9\n[   1.1] Read of size 4\n\nREPORT:\nexpected text\n';

it('replaces TITLE, TYPE, FRAME and CORRUPTED and keeps comments, ALT lines, other keys and the log', () => {
  const file = golden(`# why this case exists\nTITLE: old title\nALT: other title\nTYPE: OLD\nCORRUPTED: Y\nSOURCE: kbug\n\n${log}`);
  rewriteGolden(file, { title: 'KASAN: use-after-free in f', type: 'KASAN', frame: 'f', corrupted: false });
  const text = readFileSync(file, 'latin1');
  expect(text).toBe(`TITLE: KASAN: use-after-free in f\nTYPE: KASAN\nFRAME: f\n# why this case exists\nALT: other title\nSOURCE: kbug\n\n${log}`);
  const g = readGolden(file);
  expect(g).toMatchObject({ title: 'KASAN: use-after-free in f', alternativeTitles: ['other title'], type: 'KASAN', frame: 'f', corrupted: false });
});

it('writes an empty TITLE, and no TYPE or FRAME, for a log with no report', () => {
  const file = golden(`TITLE: something\nTYPE: KASAN\nFRAME: f\n\n${log}`);
  rewriteGolden(file, { title: undefined, type: 'KASAN', frame: 'f', corrupted: true });
  expect(readFileSync(file, 'latin1')).toBe(`TITLE: \nCORRUPTED: Y\n\n${log}`);
  expect(readGolden(file).title).toBeUndefined();
});
