/**
 * Input digests of the aws build and bake (the shared hashing of activities/iac/input-digest.ts):
 * the templates, kernel/aws, the builder's source AMI and the Kubernetes version.
 */
import { join } from 'node:path';
import { repoRoot } from '../../../src/domain/paths';
import * as digest from '../../iac/input-digest';

/** The kernel build's digest: template, kernel/ (fragments, build script), builder AMI, flavor. */
export function kernelBuildDigest(o: { packerDir: string; flavor: string; sourceAmi: string; kubernetesVersion: string }): Promise<string> {
  return digest.kernelBuildDigest({
    packerDir: o.packerDir,
    cloudKernelDir: join(repoRoot, 'kernel', 'aws'),
    flavor: o.flavor,
    values: { sourceAmi: o.sourceAmi, k8s: o.kubernetesVersion },
  });
}

/** The image's digest: the kernel it installs, the bake template and scripts, the source AMI. */
export function imageBakeDigest(o: { packerDir: string; flavor: string; kernelDigest: string; sourceAmi: string; kubernetesVersion: string }): Promise<string> {
  return digest.imageBakeDigest({
    packerDir: o.packerDir,
    scriptsDir: join(repoRoot, 'packer', 'scripts'),
    flavor: o.flavor,
    kernelDigest: o.kernelDigest,
    values: { sourceAmi: o.sourceAmi, k8s: o.kubernetesVersion },
  });
}
