/** Input digests of the oci build and bake: same inputs, same digest, so a rerun finds the earlier build. */
import { join } from 'node:path';
import { repoRoot } from '../../../src/domain/paths';
import { filesUnder, hashInputs } from '../../iac/input-digest';

export interface OciBuildInputs {
  packerDir: string;
  flavor: string;
  sourceImageId: string;
  kubernetesVersion: string;
}

/** The kernel build's digest: template, fragments, the oci build script, builder image, flavor. */
export async function ociKernelDigest(o: OciBuildInputs): Promise<string> {
  const kernel = join(repoRoot, 'kernel');
  const files = [
    join(o.packerDir, 'variables.pkr.hcl'),
    join(o.packerDir, 'kernel-build', 'kernel-build.pkr.hcl'),
    ...(await filesUnder(join(kernel, 'flavors', 'common'))),
    ...(await filesUnder(join(kernel, 'flavors', o.flavor))),
    ...(await filesUnder(join(kernel, 'oci'))),
    join(kernel, 'verify-config.py'),
  ];
  return hashInputs({ files, values: { cloud: 'oci', flavor: o.flavor, sourceImage: o.sourceImageId, k8s: o.kubernetesVersion } });
}

/** The image's digest: the kernel it installs, the bake template and scripts, the source image. */
export async function ociImageDigest(o: OciBuildInputs & { kernelDigest: string }): Promise<string> {
  const files = [
    join(o.packerDir, 'variables.pkr.hcl'),
    join(o.packerDir, 'image-bake', 'image-bake.pkr.hcl'),
    ...(await filesUnder(join(o.packerDir, 'scripts'))),
    ...(await filesUnder(join(repoRoot, 'packer', 'scripts'))),
    join(repoRoot, 'kernel', 'flavors', o.flavor, 'cmdline'),
    join(repoRoot, 'kernel', 'flavors', 'common', 'cmdline'),
  ];
  return hashInputs({ files, values: { cloud: 'oci', flavor: o.flavor, kernelDigest: o.kernelDigest, sourceImage: o.sourceImageId, k8s: o.kubernetesVersion } });
}
