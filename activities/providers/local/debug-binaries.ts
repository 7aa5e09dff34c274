import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { LogHarvestInput } from '../../../src/domain/contract';
import type { DebugInfo } from '../../symbolize/debug-binaries';
import { kernelBuildDirOf } from './image-bake';

/**
 * The debug binaries of a local cycle, kept in the cache by its steps: `vmlinux` (built with
 * DWARF) in the kernel build directory, the modules' `.ko` files in the image directory's
 * `modules/`; the kernel tree (`source` in the build directory) and the module source the
 * image was built from, for the source lines.
 */
export function localDebugBinaries(input: LogHarvestInput): DebugInfo {
  if (!input.kernel) return { unavailable: 'log-harvest got no kernel build to take vmlinux from' };
  let buildDir: string;
  try {
    buildDir = kernelBuildDirOf(input.kernel);
  } catch (err) {
    return { unavailable: (err as Error).message };
  }
  const vmlinux = join(buildDir, 'vmlinux');
  const modules: Record<string, string> = {};
  const sourceRoots = [join(buildDir, 'source'), buildDir];
  // The image id of a local image is its initramfs, in the image directory.
  const imageDir = input.image ? dirname(input.image.imageId) : undefined;
  if (imageDir && existsSync(join(imageDir, 'modules'))) {
    for (const f of readdirSync(join(imageDir, 'modules'))) if (f.endsWith('.ko')) modules[basename(f, '.ko').replace(/-/g, '_')] = join(imageDir, 'modules', f);
    sourceRoots.unshift(join(imageDir, 'module-src'));
  }
  if (!existsSync(vmlinux) && Object.keys(modules).length === 0) return { unavailable: `no vmlinux in ${buildDir} and no module .ko in the image` };
  return { vmlinux: existsSync(vmlinux) ? vmlinux : undefined, modules, release: input.kernel.kernelRelease, sourceRoots };
}
