import type { StepIO, VersionPublishInput, VersionPublishOutput } from '../../../src/domain/contract';
import { ssmRegistry } from './ssm-registry';
import type { AwsDeps } from './deps';
import { withStep } from './step-context';

/**
 * version-publish (aws): the kernel and AMI in SSM Parameter Store under the shared naming
 * scheme, tagged with the cycle; `latest` and the rc pointer move to it. As for local, the
 * record's input digest is the image's (it covers the kernel). A retry keeps the first
 * `created-at`, so it adds no parameter versions.
 */
export async function awsVersionPublish(input: VersionPublishInput, io: StepIO, deps: AwsDeps): Promise<VersionPublishOutput> {
  const { ctx, kernel, image } = input;
  return withStep(ctx, deps, async (s) => {
    const registry = ssmRegistry(s.clients.ssm, { tags: { 'rcdebug:cycle': ctx.cycleId } });
    const earlier = await registry.findByDigest('aws', ctx.flavor, image.digest);
    io.progress({ message: `publishing ${kernel.kernelRelease}/${image.digest} → ${image.imageId}` });
    return registry.publish({
      cloud: 'aws',
      flavor: ctx.flavor,
      kernelRelease: kernel.kernelRelease,
      inputDigest: image.digest,
      imageId: image.imageId,
      configDigest: kernel.configDigest,
      createdAt: earlier?.imageId === image.imageId ? earlier.createdAt : new Date().toISOString(),
      rc: ctx.rc,
    });
  });
}
