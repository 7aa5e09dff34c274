import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FLAVORS, type Flavor } from '../../../src/domain/contract';
import { repoRoot } from '../../../src/domain/paths';
import type { LocalDeps } from './deps';
import { BUILD_FILES, configureKernel, planKernelBuild } from './kernel-build';
import { renderOptionTable, type OptionListReport } from './kernel-options';

/** The doc the option table lives in. */
export const OPTION_TABLE_DOC = join(repoRoot, 'docs', 'kernel.md');

/**
 * The option list of every flavor against its real final .config: each flavor configured
 * (allnoconfig + fragments, olddefconfig, both verifications) in a scratch build directory
 * with the cycle's kernel source, then removed. Nothing is compiled.
 */
export async function flavorOptionReports(deps: Pick<LocalDeps, 'cacheDir' | 'kernelSource'>, flavors: readonly Flavor[] = FLAVORS): Promise<OptionListReport[]> {
  const reports: OptionListReport[] = [];
  for (const flavor of flavors) {
    const plan = await planKernelBuild(flavor, deps as LocalDeps);
    const dir = await mkdtemp(join(tmpdir(), `rcdebug-options-${flavor}-`));
    try {
      await configureKernel({ ...plan, buildDir: dir }, undefined, join(dir, BUILD_FILES.log));
      reports.push(JSON.parse(await readFile(join(dir, BUILD_FILES.optionList), 'utf8')) as OptionListReport);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return reports;
}

/** The option table docs/kernel.md must show, from the real .configs. */
export async function currentOptionTable(deps: Pick<LocalDeps, 'cacheDir' | 'kernelSource'>): Promise<string> {
  return renderOptionTable(await flavorOptionReports(deps));
}
