import { relative } from 'node:path';
import { repoRoot } from '../../../src/domain/paths';

/** What a reproducer script needs to rebuild one kernel by hand. */
export interface KernelReproducerInput {
  digest: string;
  flavor: string;
  /** The source tree the build used. */
  srctree: string;
  /** The tarball it was unpacked from, if any. */
  tarball?: string | undefined;
  buildDir: string;
  /** The merged fragments (written to the build directory before allnoconfig). */
  fragmentText: string;
  /** The individual fragment files, for verify-config.py. */
  fragments: string[];
  verifyScript: string;
  /** Extra make variables, e.g. `CC=ccache gcc`. */
  makeVars: string[];
  compiler: string;
}

/** Quotes one word for bash. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A path in the reproducer: under `$RCDEBUG` when it is in the checkout, else absolute. */
function repoPath(path: string): string {
  const rel = relative(repoRoot, path);
  return rel.startsWith('..') ? shellQuote(path) : `"$RCDEBUG/${rel}"`;
}

/**
 * A bash script with the exact commands of a kernel build: unpack the source, merge the
 * fragments, allnoconfig + olddefconfig, verify every requested option, make. Written before
 * the build starts, so even a failed build can be rerun by hand.
 */
export function kernelReproducer(r: KernelReproducerInput): string {
  const q = shellQuote;
  const make = (target: string) => `make -C "$SRC" O="$OUT" ${r.makeVars.map(q).join(' ')} ${target}`.replace(/ {2,}/g, ' ');
  const unpack = r.tarball
    ? [
        `if [ ! -f "$SRC/Makefile" ]; then`,
        `  tmp=$(mktemp -d "$(dirname "$SRC")/unpack.XXXXXX")`,
        `  tar -xf ${q(r.tarball)} -C "$tmp"`,
        `  mv "$tmp"/*/ "$SRC" && rmdir "$tmp"`,
        `fi`,
      ]
    : [`[ -f "$SRC/Makefile" ] || { echo "kernel tree $SRC is missing" >&2; exit 1; }`];
  const shownFragments = r.fragments.map((f) => repoPath(f).replace('"$RCDEBUG/', '').replace(/"$/, '')).join(' ');
  return [
    '#!/usr/bin/env bash',
    `# Rebuilds rcdebug kernel ${r.digest} (flavor ${r.flavor}) by hand.`,
    `# Compiler of the original build: ${r.compiler}`,
    `# Fragments: ${shownFragments}`,
    '# Override SRC/OUT to build elsewhere; RCDEBUG points at an rcdebug checkout (verification).',
    'set -euo pipefail',
    `SRC=\${SRC:-${q(r.srctree)}}`,
    `OUT=\${OUT:-${q(r.buildDir)}}`,
    `RCDEBUG=\${RCDEBUG:-${q(repoRoot)}}`,
    '',
    '# 1. The kernel source.',
    ...unpack,
    '',
    '# 2. The merged config fragments.',
    'mkdir -p "$OUT"',
    `cat > "$OUT/rcdebug-fragments.config" <<'RCDEBUG_FRAGMENTS'`,
    r.fragmentText.replace(/\n$/, ''),
    'RCDEBUG_FRAGMENTS',
    '',
    '# 3. Configure: everything off but the fragments, then fill in the defaults.',
    make('KCONFIG_ALLCONFIG="$OUT/rcdebug-fragments.config" allnoconfig'),
    make('olddefconfig'),
    '',
    '# 4. Every requested option must have survived olddefconfig (exit 1 lists those that did not).',
    `python3 ${repoPath(r.verifyScript)} --config "$OUT/.config" --srctree "$SRC" --arch x86 \\`,
    ...r.fragments.map((f, i) => `  ${repoPath(f)}${i < r.fragments.length - 1 ? ' \\' : ''}`),
    '',
    '# 5. Build.',
    make('-j"$(nproc)"'),
    make('-s kernelrelease'),
    'echo "kernel: $OUT/arch/x86/boot/bzImage"',
    '',
  ].join('\n');
}
