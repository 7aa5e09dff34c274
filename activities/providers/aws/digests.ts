/**
 * Input digests of the aws build and bake: every file and value that changes what comes out.
 * Same inputs, same digest, so a rerun finds the earlier build in S3 or the registry.
 */
import { join } from 'node:path';
import { repoRoot } from '../../../src/domain/paths';
import { filesUnder, hashInputs } from '../../artifacts/input-digest';

/** The kernel build's digest: template, kernel/ (fragments, build script), builder AMI, flavor. */
export async function kernelBuildDigest(o: { packerDir: string; flavor: string; sourceAmi: string; kubernetesVersion: string }): Promise<string> {
  const kernel = join(repoRoot, 'kernel');
  const files = [
    join(o.packerDir, 'kernel-build.pkr.hcl'),
    ...(await filesUnder(join(kernel, 'flavors', 'common'))),
    ...(await filesUnder(join(kernel, 'flavors', o.flavor))),
    ...(await filesUnder(join(kernel, 'aws'))),
    join(kernel, 'verify-config.py'),
  ];
  return hashInputs({ files, values: { flavor: o.flavor, sourceAmi: o.sourceAmi, k8s: o.kubernetesVersion } });
}

/** The image's digest: the kernel it installs, the bake template and scripts, the source AMI. */
export async function imageBakeDigest(o: { packerDir: string; flavor: string; kernelDigest: string; sourceAmi: string; kubernetesVersion: string }): Promise<string> {
  const files = [
    join(o.packerDir, 'image-bake.pkr.hcl'),
    ...(await filesUnder(join(repoRoot, 'packer', 'scripts'))),
    join(repoRoot, 'kernel', 'flavors', o.flavor, 'cmdline'),
    join(repoRoot, 'kernel', 'flavors', 'common', 'cmdline'),
  ];
  return hashInputs({ files, values: { flavor: o.flavor, kernelDigest: o.kernelDigest, sourceAmi: o.sourceAmi, k8s: o.kubernetesVersion } });
}
