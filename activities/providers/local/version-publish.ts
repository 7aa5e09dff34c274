import type { StepIO, VersionPublishInput, VersionPublishOutput } from '../../../src/domain/contract';
import type { LocalDeps } from './deps';

/**
 * version-publish (local): records the cycle's kernel and image in the registry under the
 * naming scheme every cloud shares, and moves the `latest` and per-rc pointers to them. The
 * input digest of the record is the image's (it covers the kernel, the module and the guest).
 */
export async function localVersionPublish(input: VersionPublishInput, io: StepIO, deps: LocalDeps): Promise<VersionPublishOutput> {
  const { ctx, kernel, image } = input;
  io.progress({ message: `publishing ${kernel.kernelRelease}/${image.digest}` });
  return deps.registry.publish({
    cloud: ctx.cloud,
    flavor: ctx.flavor,
    kernelRelease: kernel.kernelRelease,
    inputDigest: image.digest,
    imageId: image.imageId,
    configDigest: kernel.configDigest,
    createdAt: new Date().toISOString(),
    rc: ctx.rc,
  });
}
