/**
 * Titles without what changes from run to run: addresses, numbers, line numbers, CPU ids,
 * function offsets, the fuzzer's process ids. One bug keeps one title across runs and nodes.
 */

const REWRITES: ReadonlyArray<readonly [RegExp, string]> = [
  [/syz-executor\.?[0-9]+((\/|:)[0-9]+)?/g, 'syz-executor'],
  [/syzkaller[0-9]+((\/|:)[0-9]+)?/g, 'syzkaller'],
  // Anything that looks like an address, after a non-word character.
  [/([^a-zA-Z0-9])(?:0x)?[0-9a-f]{6,}/g, '$1ADDR'],
  [/([0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3})/g, 'IP'],
  // file.c:123 -> file.c:LINE
  [/(\.\w+)(:[0-9]+)+/g, '$1:LINE'],
  // foo+0x12/0x40 -> foo
  [/([a-zA-Z][a-zA-Z0-9_.]+)\+0x[0-9a-z]+\/0x[0-9a-z]+/g, '$1'],
  [/CPU#[0-9]+/g, 'CPU'],
  // Free-standing decimal numbers; digits inside names (nl802154, cfg80211) stay.
  [/(\W)(\d+)(\W|$)/g, '$1NUM$3'],
  [/(\d+){7,}/g, 'NUM'],
];

/** Longer titles are cut: interleaved lines can glue whole screens onto a header. */
export const MAX_TITLE_LENGTH = 120;

/** Rewrites the variable parts of a title; applying it twice changes nothing. */
export function normalizeTitle(title: string): string {
  let s = title;
  for (const [re, replacement] of REWRITES) {
    // Matches can overlap ("0,1,2"); rewrite until nothing changes.
    for (let prev = ''; prev !== s; ) {
      prev = s;
      s = s.replace(re, replacement);
    }
  }
  return sanitizeTitle(s);
}

/** Drops control and non-ASCII characters, turns tabs into spaces, squeezes spaces, cuts to length. */
export function sanitizeTitle(title: string): string {
  let out = '';
  let prev = ' ';
  const n = Math.min(title.length, MAX_TITLE_LENGTH);
  for (let i = 0; i < n; i++) {
    let ch = title[i] ?? '';
    if (ch === '\t') ch = ' ';
    const code = ch.charCodeAt(0);
    if (code < 0x20 || code >= 0x7f) continue;
    if (ch === ' ' && prev === ' ') continue;
    out += ch;
    prev = ch;
  }
  return out.trim();
}

const FRAME_IN_TITLE = /.* in ((?:<[a-zA-Z0-9_: ]+>)?[a-zA-Z0-9_:]+)/;

/** The function a title names (`... in <frame>`), or an empty string. */
export function frameOfTitle(title: string): string {
  return FRAME_IN_TITLE.exec(title)?.[1] ?? '';
}
