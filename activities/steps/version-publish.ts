import type { StepIO, VersionPublishInput, VersionPublishOutput } from '../../src/domain/contract';
import type { VersionRegistry } from '../../src/domain/registry/scheme';

/**
 * version-publish, for every cloud: records the cycle's kernel and image in the cloud's
 * version registry under the shared naming scheme and moves the `latest` and per-rc pointers
 * to them. The record's input digest is the image's (it covers the kernel, the module and the
 * image recipe). Earlier records stay: the registry keeps the history of a flavor.
 *
 * A retry (or a rerun that baked the same image again) keeps the record's first `created-at`,
 * so the history order is stable and a store that versions its values adds no new version.
 */
export async function publishVersion(input: VersionPublishInput, io: StepIO, registry: VersionRegistry): Promise<VersionPublishOutput> {
  const { ctx, kernel, image } = input;
  const earlier = await registry.findByDigest(ctx.cloud, ctx.flavor, image.digest);
  io.progress({ message: `publishing ${kernel.kernelRelease}/${image.digest} → ${image.imageId}` });
  return registry.publish({
    cloud: ctx.cloud,
    flavor: ctx.flavor,
    kernelRelease: kernel.kernelRelease,
    inputDigest: image.digest,
    imageId: image.imageId,
    configDigest: kernel.configDigest,
    // The same digest with another image id is a new bake of the same inputs: a new record time.
    createdAt: earlier?.imageId === image.imageId ? earlier.createdAt : new Date().toISOString(),
    rc: ctx.rc,
  });
}
