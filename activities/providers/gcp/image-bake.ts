import { join } from 'node:path';
import type { ImageBakeInput, ImageBakeOutput, StepIO } from '../../../src/domain/contract';
import { InfraError } from '../../../src/domain/errors';
import { repoRoot } from '../../../src/domain/paths';
import { packerBuild } from '../../iac/packer';
import type { GcpDeps } from './deps';
import { imageBakeDigest } from './digests';
import { classifyGcpError, gcpIfExists } from './errors';
import { gcsRegistry } from './gcs-registry';
import { imageFamily, labelValue } from './names';
import { commonPackerVars } from './packer';
import { imageFromFamily, withStep, type GcpStep } from './step-context';

/** The image's labels, or undefined when it does not exist. */
async function imageLabels(s: GcpStep, name: string): Promise<Record<string, string> | undefined> {
  const found = await gcpIfExists(`compute images.get ${name}`, () => s.clients.images.get({ project: s.project, image: name }));
  return found ? ((found[0].labels ?? {}) as Record<string, string>) : undefined;
}

/** The newest image of the project labelled with this digest, following nextPageToken. */
async function imageByDigest(s: GcpStep, digest: string): Promise<string | undefined> {
  const found: { name: string; created: string }[] = [];
  const filter = `labels.rcdebug-digest = "${labelValue(digest)}"`;
  const pages = s.clients.images.listAsync({ project: s.project, filter, maxResults: 100 });
  try {
    for await (const img of pages) if (img.name && img.status === 'READY') found.push({ name: img.name, created: img.creationTimestamp ?? '' });
  } catch (err) {
    throw classifyGcpError(err, `compute images.list ${filter}`);
  }
  return found.sort((a, b) => b.created.localeCompare(a.created))[0]?.name;
}

/**
 * image-bake (gcp): `packer build` of packer/gcp/image-bake.pkr.hcl into the image family
 * `rcdebug-<flavor>`: the debug kernel as default, the flavor's boot arguments, kmemleak on,
 * the double-scan timer, serial-port logging; booted once and checked to run the debug kernel
 * release. Labels (cycle, rc, flavor, digest, managed-by) are in the label charset. The image
 * name comes from the Packer manifest and is checked with images.get and its digest label.
 */
export async function gcpImageBake(input: ImageBakeInput, io: StepIO, deps: GcpDeps): Promise<ImageBakeOutput> {
  const { ctx, kernel } = input;
  const opts = deps.options;
  return withStep(ctx, deps, async (s): Promise<ImageBakeOutput> => {
    const source = await imageFromFamily(s, opts.sourceImageProject, opts.sourceImageFamily, 'RCDEBUG_GCP_SOURCE_IMAGE_FAMILY');
    const digest = await imageBakeDigest({ packerDir: opts.packerDir, flavor: ctx.flavor, kernelDigest: kernel.digest, sourceImage: source.name, kubernetesVersion: opts.kubernetesVersion });
    const recorded = await gcsRegistry(s.bucket).findByDigest('gcp', ctx.flavor, digest);
    // A record whose image was deleted by hand is no cache: bake again.
    if (recorded && (await imageLabels(s, recorded.imageId.split('/').pop() ?? ''))) return { imageId: recorded.imageId, digest, cacheHit: true, artifacts: {} };
    const labelled = await imageByDigest(s, digest);
    if (labelled) {
      io.progress({ message: `cache hit: ${labelled} is labelled with digest ${digest}` });
      return { imageId: `projects/${s.project}/global/images/${labelled}`, digest, cacheHit: true, artifacts: {} };
    }
    const dir = join(s.workDir, 'image-bake');
    const manifestPath = join(dir, 'packer-manifest.json');
    const logFile = join(dir, 'packer.log');
    const vars = {
      ...commonPackerVars(s, { bucket: s.bucket.name, flavor: ctx.flavor, digest, cycleId: ctx.cycleId, rc: ctx.rc, sourceImage: source.name, machineType: opts.machineType }),
      image_family: imageFamily(ctx.flavor),
      kernel_digest: kernel.digest,
      kernel_release: kernel.kernelRelease,
      k8s_version: opts.kubernetesVersion,
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
    // googlecompute's artifact id is the image name.
    const name = build.artifact_id.split('/').pop() ?? '';
    const labels = await imageLabels(s, name);
    if (!labels) throw new InfraError(`packer reported the image ${build.artifact_id}, which images.get does not find in ${s.project}`);
    if (labels['rcdebug-digest'] !== labelValue(digest)) {
      throw new InfraError(`the baked image ${name} carries rcdebug-digest=${labels['rcdebug-digest'] ?? '(none)'}, not ${digest}: the template's labels and the activity disagree`);
    }
    const log = await s.artifacts.putFile(`${ctx.cycleId}/image-bake/packer.log`, logFile);
    return { imageId: `projects/${s.project}/global/images/${name}`, digest, cacheHit: false, artifacts: { packerLog: log } };
  });
}
