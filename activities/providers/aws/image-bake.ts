import { join } from 'node:path';
import { DescribeImagesCommand } from '@aws-sdk/client-ec2';
import type { ImageBakeInput, ImageBakeOutput, StepIO } from '../../../src/domain/contract';
import { aws } from './errors';
import { InfraError } from '../../../src/domain/errors';
import { repoRoot } from '../../../src/domain/paths';
import { ssmRegistry } from './ssm-registry';
import type { AwsDeps } from './deps';
import { imageBakeDigest } from './digests';
import { requireBucket } from './options';
import { packerBuild } from '../../iac/packer';
import { amiFromArtifactId, commonPackerVars } from './packer';
import { requireImage, resolveSourceAmi } from './source-ami';
import { withStep } from './step-context';

/**
 * image-bake (aws): `packer build` of packer/aws/image-bake.pkr.hcl (the EKS AL2023 AMI with
 * the debug kernel, boot args, kmemleak timer and log shipping). The AMI id comes from the
 * Packer manifest's `artifact_id` and is checked with DescribeImages and its `rcdebug:digest`
 * tag. Cached by digest: a registry record, else an AMI already tagged with it.
 */
export async function awsImageBake(input: ImageBakeInput, io: StepIO, deps: AwsDeps): Promise<ImageBakeOutput> {
  const { ctx, kernel } = input;
  const opts = deps.options;
  return withStep(ctx, deps, async (s): Promise<ImageBakeOutput> => {
    const bucket = requireBucket(opts);
    const sourceAmi = await resolveSourceAmi(s.clients, opts);
    const digest = await imageBakeDigest({ packerDir: opts.packerDir, flavor: ctx.flavor, kernelDigest: kernel.digest, sourceAmi, kubernetesVersion: opts.kubernetesVersion });

    const recorded = await ssmRegistry(s.clients.ssm).findByDigest('aws', ctx.flavor, digest);
    if (recorded) {
      // A record whose AMI was deregistered by hand is no cache: bake again.
      const tags = await requireImage(s.clients, recorded.imageId, 'the recorded AMI').catch(() => undefined);
      if (tags) return { imageId: recorded.imageId, digest, cacheHit: true, artifacts: {} };
    }
    const tagged = await aws('EC2 DescribeImages tag:rcdebug:digest', () =>
      s.clients.ec2.send(new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'tag:rcdebug:digest', Values: [digest] }, { Name: 'state', Values: ['available'] }] })),
    );
    const newest = [...(tagged.Images ?? [])].sort((a, b) => (b.CreationDate ?? '').localeCompare(a.CreationDate ?? ''))[0];
    if (newest?.ImageId) {
      io.progress({ message: `cache hit: ${newest.ImageId} is tagged with digest ${digest}` });
      return { imageId: newest.ImageId, digest, cacheHit: true, artifacts: {} };
    }

    const dir = join(s.workDir, 'image-bake');
    const manifestPath = join(dir, 'packer-manifest.json');
    const logFile = join(dir, 'packer.log');
    const vars = {
      ...commonPackerVars({ region: s.region, bucket, flavor: ctx.flavor, digest, cycleId: ctx.cycleId, rc: ctx.rc, kubernetesVersion: opts.kubernetesVersion, sourceAmi }),
      kernel_digest: kernel.digest,
      kernel_release: kernel.kernelRelease,
      kernel_dir: join(repoRoot, 'kernel'),
      scripts_dir: join(repoRoot, 'packer', 'scripts'),
      manifest_path: manifestPath,
    };
    let build;
    try {
      ({ build } = await packerBuild({ template: join(opts.packerDir, 'image-bake.pkr.hcl'), vars, manifestPath, logFile, io, cwd: opts.packerDir }));
    } finally {
      await s.artifacts.putFile(`${ctx.cycleId}/image-bake/packer.log`, logFile).catch(() => undefined);
    }
    const imageId = amiFromArtifactId(build.artifact_id, s.region);
    const tags = await requireImage(s.clients, imageId, 'the baked AMI');
    if (tags['rcdebug:digest'] !== digest) {
      throw new InfraError(`the baked AMI ${imageId} carries rcdebug:digest=${tags['rcdebug:digest'] ?? '(none)'}, not ${digest}: the template's tags and the activity disagree`);
    }
    const log = await s.artifacts.putFile(`${ctx.cycleId}/image-bake/packer.log`, logFile);
    return { imageId, digest, cacheHit: false, artifacts: { packerLog: log } };
  });
}
