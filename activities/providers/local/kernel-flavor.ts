import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FLAVORS, type Flavor, type OnKernelError } from '../../../src/domain/contract';
import { UserError } from '../../../src/domain/errors';
import { repoRoot } from '../../../src/domain/paths';

/** Where the fragments, flavors, verification script and example module live. */
export const KERNEL_DIR = join(repoRoot, 'kernel');

/** The fragments every flavor shares (`flavors/common/`). */
const COMMON = 'common';

async function filesIn(dir: string, suffix: string): Promise<string[]> {
  try {
    const names = await readdir(dir);
    return names.filter((n) => n.endsWith(suffix)).sort().map((n) => join(dir, n));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/**
 * The config fragments of a flavor, in merge order: `flavors/common/*.config`, then
 * `flavors/<flavor>/*.config`. Cloud builders apply these on top of their distribution's config.
 */
export async function flavorFragments(flavor: Flavor, kernelDir = KERNEL_DIR): Promise<string[]> {
  const own = await filesIn(join(kernelDir, 'flavors', flavor), '.config');
  // Without this a misspelt flavor would quietly build a kernel with the common options only.
  if (own.length === 0 || (flavor as string) === COMMON) {
    throw new UserError(
      `flavor ${JSON.stringify(flavor)} has no config fragments under ${join(kernelDir, 'flavors', flavor)}`,
      'flavor',
      `use one of ${FLAVORS.join(', ')}, or add kernel/flavors/${flavor}/*.config`,
    );
  }
  return [...(await filesIn(join(kernelDir, 'flavors', COMMON), '.config')), ...own];
}

/** The boot essentials of a local qemu guest (`base/*.config`), merged before the flavor's. */
export async function baseFragments(kernelDir = KERNEL_DIR): Promise<string[]> {
  return filesIn(join(kernelDir, 'base'), '.config');
}

/** Every fragment of a local build, in merge order (later fragments win). */
export async function localFragments(flavor: Flavor, kernelDir = KERNEL_DIR): Promise<string[]> {
  return [...(await baseFragments(kernelDir)), ...(await flavorFragments(flavor, kernelDir))];
}

async function cmdlineOf(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .flatMap((l) => l.split(/\s+/));
}

/**
 * The kernel boot arguments a flavor needs (`flavors/common/cmdline` then
 * `flavors/<flavor>/cmdline`), as a list of words. The console and root arguments are the
 * runtime's: this holds only what the debug options need, e.g. `kasan.fault=report`.
 */
export async function flavorCmdline(flavor: Flavor, kernelDir = KERNEL_DIR): Promise<string[]> {
  return [
    ...(await cmdlineOf(join(kernelDir, 'flavors', COMMON, 'cmdline'))),
    ...(await cmdlineOf(join(kernelDir, 'flavors', flavor, 'cmdline'))),
  ];
}

/**
 * The boot arguments of a flavor under a cycle's `onKernelError`: the flavor's own, then for
 * `panic` the safety nets (`cmdline-panic` files; a later word wins over an earlier one) and,
 * when asked, `panic_on_warn=1`.
 */
export async function errorCmdline(flavor: Flavor, onKernelError: OnKernelError = 'report', panicOnWarn = false, kernelDir = KERNEL_DIR): Promise<string[]> {
  const words = await flavorCmdline(flavor, kernelDir);
  if (onKernelError !== 'panic') return words;
  return [
    ...words,
    ...(await cmdlineOf(join(kernelDir, 'flavors', COMMON, 'cmdline-panic'))),
    ...(await cmdlineOf(join(kernelDir, 'flavors', flavor, 'cmdline-panic'))),
    ...(panicOnWarn ? ['panic_on_warn=1'] : []),
  ];
}
