/**
 * Input digests of the gcp kernel build and image bake (the shared hashing of
 * activities/iac/input-digest.ts): the templates, kernel/gcp, the source image and the
 * Kubernetes version, so a rerun finds the earlier build in Cloud Storage or the registry.
 */
import { join } from 'node:path';
import { repoRoot } from '../../../src/domain/paths';
import * as digest from '../../iac/input-digest';

/** The kernel build: its template, the flavor's fragments, the gcp fragment, the checker, the source image. */
export function kernelBuildDigest(o: { packerDir: string; flavor: string; sourceImage: string }): Promise<string> {
  return digest.kernelBuildDigest({ packerDir: o.packerDir, cloudKernelDir: join(repoRoot, 'kernel', 'gcp'), flavor: o.flavor, values: { cloud: 'gcp', source: o.sourceImage } });
}

/** The image: the kernel it installs, the bake template and scripts, the boot arguments, the source image. */
export function imageBakeDigest(o: { packerDir: string; flavor: string; kernelDigest: string; sourceImage: string; kubernetesVersion: string }): Promise<string> {
  return digest.imageBakeDigest({
    packerDir: o.packerDir,
    scriptsDir: join(repoRoot, 'packer', 'scripts'),
    flavor: o.flavor,
    kernelDigest: o.kernelDigest,
    values: { cloud: 'gcp', source: o.sourceImage, k8s: o.kubernetesVersion },
  });
}
