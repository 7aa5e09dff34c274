/**
 * The signature of a bug: its title with everything that varies between runs, nodes, clouds
 * and compilers taken out. Two reports of one bug have one signature.
 */
import { normalizeTitle } from './title-normalize';

const REWRITES: ReadonlyArray<readonly [RegExp, string]> = [
  // Compiler clones: foo.isra.3, foo.constprop.0, foo.part.1, foo.cold
  [/\b([A-Za-z_][A-Za-z0-9_]*)(?:\.(?:isra|constprop|part|cold|llvm|lto_priv)(?:\.[0-9]+)?)+\b/g, '$1'],
  // Module names after a frame: "foo [mymod]"
  [/ \[[A-Za-z0-9_.-]+\]/g, ''],
  // Hex and decimal leftovers the title rules keep inside words (0x1f, #3).
  [/\b0x[0-9a-fA-F]+\b/g, 'ADDR'],
  [/#[0-9]+/g, '#NUM'],
  [/\s+/g, ' '],
];

/** The signature of a title; idempotent, so a signature is its own signature. */
export function signatureOf(title: string): string {
  let s = normalizeTitle(title);
  for (const [re, to] of REWRITES) s = s.replace(re, to);
  return s.trim();
}
