/**
 * The signature of a bug: its title with everything that varies between runs, nodes, clouds
 * and compilers taken out. Two reports of one bug have one signature.
 */
import { normalizeTitle } from './title-normalize';

// Compiler clones (foo.isra.3, foo.constprop.0, foo.part.1, foo.cold): before numbers become NUM.
const CLONE_SUFFIX = /\b([A-Za-z_][A-Za-z0-9_]*)(?:\.(?:isra|constprop|part|cold|llvm|lto_priv)(?:\.(?:[0-9]+|NUM))?)+\b/g;

const REWRITES: ReadonlyArray<readonly [RegExp, string]> = [
  // Durations glued to their unit: "stuck for 22s", "took 120ms".
  [/(\W)[0-9]+(s|ms|us|ns|min|secs?)\b/g, '$1NUM$2'],
  // Module names after a frame: "foo [mymod]"
  [/ \[[A-Za-z0-9_.-]+\]/g, ''],
  // Hex and decimal leftovers the title rules keep inside words (0x1f, #3).
  [/\b0x[0-9a-fA-F]+\b/g, 'ADDR'],
  [/#[0-9]+/g, '#NUM'],
  [/\s+/g, ' '],
];

/** The signature of a title; idempotent, so a signature is its own signature. */
export function signatureOf(title: string): string {
  let s = normalizeTitle(title.replace(CLONE_SUFFIX, '$1'));
  for (const [re, to] of REWRITES) s = s.replace(re, to);
  return s.trim();
}
