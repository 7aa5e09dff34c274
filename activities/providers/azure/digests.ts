/**
 * Input digests of the azure build and bake, on the shared hashing of activities/iac: every
 * file and value that changes what comes out, so a rerun finds the earlier build.
 */
import { join } from 'node:path';
import { repoRoot } from '../../../src/domain/paths';
import { filesUnder, hashInputs, kernelBuildDigest as sharedKernelDigest } from '../../iac/input-digest';

/** The files of the template folder `name` (packer/azure/<name>/): its own and the shared variables. */
function templateFiles(packerDir: string, name: string): string[] {
  return [join(packerDir, 'variables.pkr.hcl'), join(packerDir, name, `${name}.pkr.hcl`)];
}

/** The kernel build's digest: template, fragments, kernel/azure (Hyper-V fragment, build script), source image. */
export function kernelBuildDigest(o: { packerDir: string; flavor: string; sourceImage: string; kubernetesVersion: string }): Promise<string> {
  return sharedKernelDigest({ packerDir: o.packerDir, templates: templateFiles(o.packerDir, 'kernel-build'), cloudKernelDir: join(repoRoot, 'kernel', 'azure'), flavor: o.flavor, values: { sourceImage: o.sourceImage, k8s: o.kubernetesVersion } });
}

/** The image's digest: the kernel it installs, the bake template, both script folders it uploads, the boot arguments. */
export async function imageBakeDigest(o: { packerDir: string; flavor: string; kernelDigest: string; sourceImage: string; kubernetesVersion: string }): Promise<string> {
  const files = [
    ...templateFiles(o.packerDir, 'image-bake'),
    ...(await filesUnder(join(o.packerDir, 'scripts'))),
    ...(await filesUnder(join(repoRoot, 'packer', 'scripts'))),
    join(repoRoot, 'kernel', 'flavors', o.flavor, 'cmdline'),
    join(repoRoot, 'kernel', 'flavors', 'common', 'cmdline'),
  ];
  return hashInputs({ files, values: { flavor: o.flavor, kernelDigest: o.kernelDigest, sourceImage: o.sourceImage, k8s: o.kubernetesVersion } });
}
