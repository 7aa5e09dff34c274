import { join } from 'node:path';
import type { ImageBakeInput, ImageBakeOutput, StepIO } from '../../../src/domain/contract';
import { InfraError } from '../../../src/domain/errors';
import { repoRoot } from '../../../src/domain/paths';
import { packerBuild } from '../../iac/packer';
import type { OciDeps } from './deps';
import { ociImageDigest } from './digests';
import { TAG, imageOfDigest, requireImage } from './images';
import { objectRegistry } from './object-registry';
import { objectRef } from './objects';
import { required } from './options';
import { classifyOciPacker, ociPackerVars } from './packer-vars';
import { withStep } from './step-context';

/**
 * image-bake (oci): `packer build` of packer/oci/image-bake.pkr.hcl, a custom image from the
 * OKE worker image with the debug kernel as default, the flavor's boot arguments, kmemleak and
 * the double-scan timer, the agent's Run Command and Logging plugins on, freeform tags, booted
 * once by the template and checked to run the debug kernel release. The image OCID comes from
 * the Packer manifest and is checked with GetImage and its digest tag. Cached by digest.
 */
export async function ociImageBake(input: ImageBakeInput, io: StepIO, deps: OciDeps): Promise<ImageBakeOutput> {
  const { ctx, kernel } = input;
  const opts = deps.options;
  return withStep(ctx, deps, async (s): Promise<ImageBakeOutput> => {
    const sourceImageId = required(opts, 'sourceImageId');
    const digest = await ociImageDigest({ packerDir: opts.packerDir, flavor: ctx.flavor, sourceImageId, kubernetesVersion: opts.kubernetesVersion, kernelDigest: kernel.digest });
    const recorded = await objectRegistry(s.bucket).findByDigest('oci', ctx.flavor, digest);
    // A record whose image was deleted by hand is no cache: bake again.
    if (recorded && (await requireImage(s.clients, recorded.imageId, 'registry').then(() => true, () => false))) {
      io.progress({ message: `cache hit in the registry: ${recorded.imageId}` });
      return { imageId: recorded.imageId, digest, cacheHit: true, artifacts: {} };
    }
    const tagged = await imageOfDigest(s.clients, s.compartmentId, digest);
    if (tagged) {
      io.progress({ message: `cache hit: ${tagged.id} is tagged with digest ${digest}` });
      return { imageId: tagged.id, digest, cacheHit: true, artifacts: {} };
    }
    const dir = join(s.workDir, 'image-bake');
    const manifestPath = join(dir, 'packer-manifest.json');
    const logFile = join(dir, 'packer.log');
    const vars = {
      ...ociPackerVars(ctx, s, opts, digest),
      kernel_digest: kernel.digest,
      kernel_release: kernel.kernelRelease,
      kernel_prefix: `kernels/oci/${ctx.flavor}/${kernel.digest}/`,
      kernel_dir: join(repoRoot, 'kernel'),
      scripts_dir: join(repoRoot, 'packer', 'scripts'),
      manifest_path: manifestPath,
    };
    let build;
    try {
      ({ build } = await packerBuild({ template: join(opts.packerDir, 'image-bake'), vars, manifestPath, logFile, io, cwd: opts.packerDir, classify: classifyOciPacker }));
    } finally {
      await s.artifacts.putFile(`${ctx.cycleId}/image-bake/packer.log`, logFile).catch(() => undefined);
    }
    const imageId = build.artifact_id;
    if (!/^ocid1\.image\./.test(imageId)) throw new InfraError(`the Packer artifact ${imageId} is not an image OCID`);
    const image = await requireImage(s.clients, imageId, 'the baked image');
    if (image.freeformTags?.[TAG.digest] !== digest) {
      throw new InfraError(`the baked image ${imageId} carries ${TAG.digest}=${image.freeformTags?.[TAG.digest] ?? '(none)'}, not ${digest}: the template's tags and the activity disagree`);
    }
    return { imageId, digest, cacheHit: false, artifacts: { packerLog: objectRef(s.bucket, `artifacts/${ctx.cycleId}/image-bake/packer.log`) } };
  });
}
