import { join } from 'node:path';
import type { ImageBakeInput, ImageBakeOutput, StepIO } from '../../../src/domain/contract';
import { InfraError } from '../../../src/domain/errors';
import { repoRoot } from '../../../src/domain/paths';
import { appConfigRegistry } from './appconfig-registry';
import type { AzureDeps } from './deps';
import { imageBakeDigest } from './digests';
import { getVersion, imageDefinition, parseVersionId, requireImageDefinition, versionMatches } from './gallery';
import { galleryVersion } from './gallery-version';
import { TAG } from './names';
import { packerBuild } from '../../iac/packer';
import { classifyPacker } from './packer';
import { commonPackerVars } from './packer-vars';
import { withStep } from './step-context';

/**
 * image-bake (azure): `packer build` of packer/azure/image-bake/ into the flavor's
 * Compute Gallery image definition, as the version `galleryVersion(rc, digest)` (the debug
 * kernel as default boot entry, boot arguments, kmemleak timer, boot diagnostics, the Azure
 * Monitor Agent, booted once and checked, `waagent -deprovision` last). The version is read
 * back and must carry the digest tag. Cached: a registry record whose version still exists, or
 * this rc's version already carrying the digest.
 */
export async function azureImageBake(input: ImageBakeInput, io: StepIO, deps: AzureDeps): Promise<ImageBakeOutput> {
  const { ctx, kernel } = input;
  const opts = deps.options;
  return withStep(ctx, deps, async (s): Promise<ImageBakeOutput> => {
    const digest = await imageBakeDigest({ packerDir: opts.packerDir, flavor: ctx.flavor, kernelDigest: kernel.digest, sourceImage: opts.sourceImage, kubernetesVersion: opts.kubernetesVersion });
    await requireImageDefinition(s.clients, opts, ctx.flavor);
    if (s.clients.appConfig) {
      const recorded = await appConfigRegistry(s.clients.appConfig).findByDigest('azure', ctx.flavor, digest);
      if (recorded) {
        // A record whose version was deleted by hand is no cache: bake again.
        const v = await getVersion(s.clients, opts, ctx.flavor, parseVersionId(recorded.imageId).version);
        if (versionMatches(v, digest)) return { imageId: recorded.imageId, digest, cacheHit: true, artifacts: {} };
      }
    }
    const version = galleryVersion(ctx.rc, digest);
    const existing = await getVersion(s.clients, opts, ctx.flavor, version);
    if (existing?.id && versionMatches(existing, digest)) {
      io.progress({ message: `cache hit: gallery version ${version} carries digest ${digest}` });
      return { imageId: existing.id, digest, cacheHit: true, artifacts: {} };
    }
    if (existing) {
      throw new InfraError(`gallery version ${imageDefinition(ctx.flavor)}/${version} exists with digest ${existing.tags?.[TAG.digest] ?? '(none)'}, not ${digest}: two inputs map to one version; delete the old version or publish under another rc`);
    }
    const dir = join(s.workDir, 'image-bake');
    const vars = {
      ...commonPackerVars(ctx, opts, { location: s.location, digest }),
      gallery: opts.gallery,
      image_definition: imageDefinition(ctx.flavor),
      gallery_version: version,
      kernel_digest: kernel.digest,
      kernel_release: kernel.kernelRelease,
      kernel_dir: join(repoRoot, 'kernel'),
      scripts_dir: join(repoRoot, 'packer', 'scripts'),
      manifest_path: join(dir, 'packer-manifest.json'),
    };
    const logFile = join(dir, 'packer.log');
    try {
      await packerBuild({ template: join(opts.packerDir, 'image-bake'), vars, manifestPath: vars.manifest_path, logFile, io, cwd: opts.packerDir, classify: classifyPacker });
    } finally {
      await s.artifacts.putFile(`${ctx.cycleId}/image-bake/packer.log`, logFile).catch(() => undefined);
    }
    const baked = await getVersion(s.clients, opts, ctx.flavor, version);
    if (!baked?.id) throw new InfraError(`packer finished but the gallery has no version ${imageDefinition(ctx.flavor)}/${version}`);
    if (!versionMatches(baked, digest)) {
      throw new InfraError(`the baked gallery version ${version} carries ${TAG.digest}=${baked.tags?.[TAG.digest] ?? '(none)'}, not ${digest}: the template's tags and the activity disagree`);
    }
    const log = await s.artifacts.putFile(`${ctx.cycleId}/image-bake/packer.log`, logFile);
    return { imageId: baked.id, digest, cacheHit: false, artifacts: { packerLog: log } };
  });
}
