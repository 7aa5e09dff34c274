import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KernelBuildInput, KernelBuildOutput, StepIO } from '../../../src/domain/contract';
import { InfraError, UserError, isInfraError } from '../../../src/domain/errors';
import { repoRoot } from '../../../src/domain/paths';
import { packerArgs, packerBuild } from '../../iac/packer';
import type { GcpDeps } from './deps';
import { imageBakeDigest, kernelBuildDigest } from './digests';
import { gcp } from './errors';
import { readObject } from './gcs-objects';
import { gcsRegistry } from './gcs-registry';
import { commonPackerVars } from './packer';
import { imageFromFamily, requireMachineType, withStep } from './step-context';

/** What the builder writes to `kernels/<flavor>/<digest>/build.json` (kernel/gcp/build-ubuntu-kernel.sh). */
interface BuildJson {
  kernelRelease: string;
  configDigest: string;
}

/** The Cloud Storage prefix of a kernel build. */
export function kernelPrefix(flavor: string, digest: string): string {
  return `kernels/${flavor}/${digest}/`;
}

/** Quotes one shell word. */
export function shellWord(word: string): string {
  return /^[\w./:=@%+-]+$/.test(word) ? word : `'${word.split("'").join(`'"'"'`)}'`;
}

/**
 * kernel-build (gcp): a Packer `googlecompute` build on a throwaway VM from the Ubuntu LTS
 * image the nodes use; the distribution's kernel source with the flavor's fragments and the gcp
 * fragment (virtio-scsi, NVMe, gVNIC, virtio-net, ttyS0), checked by kernel/verify-config.py;
 * .debs, .config, build log and reproducer uploaded to `gs://<bucket>/kernels/<flavor>/<digest>/`.
 * Cached by input digest: a registry record of the image these inputs bake to, or a complete
 * upload (`build.json`). The reproducer goes up first.
 */
export async function gcpKernelBuild(input: KernelBuildInput, io: StepIO, deps: GcpDeps): Promise<KernelBuildOutput> {
  const { ctx } = input;
  const opts = deps.options;
  return withStep(ctx, deps, async (s) => {
    io.progress({ message: `resolving the source image family ${opts.sourceImageProject}/${opts.sourceImageFamily}` });
    const source = await imageFromFamily(s, opts.sourceImageProject, opts.sourceImageFamily, 'RCDEBUG_GCP_SOURCE_IMAGE_FAMILY');
    const digest = await kernelBuildDigest({ packerDir: opts.packerDir, flavor: ctx.flavor, sourceImage: source.name });
    const prefix = kernelPrefix(ctx.flavor, digest);
    const at = (name: string) => `gs://${s.bucket.name}/${prefix}${name}`;
    const artifacts = { kernel: at('debs/'), log: at('build.log'), reproducer: at('reproduce.sh'), config: at('config') };

    const imageDigest = await imageBakeDigest({ packerDir: opts.packerDir, flavor: ctx.flavor, kernelDigest: digest, sourceImage: source.name, kubernetesVersion: opts.kubernetesVersion });
    const recorded = await gcsRegistry(s.bucket).findByDigest('gcp', ctx.flavor, imageDigest);
    if (recorded) {
      io.progress({ message: `cache hit in the registry: ${recorded.kernelRelease} (${imageDigest})` });
      return { digest, kernelRelease: recorded.kernelRelease, configDigest: recorded.configDigest, cacheHit: true, artifacts };
    }
    const uploaded = await readObject(s.bucket, `${prefix}build.json`);
    if (uploaded) {
      const b = JSON.parse(uploaded.text) as BuildJson;
      io.progress({ message: `cache hit in Cloud Storage: ${b.kernelRelease} (${digest})` });
      return { digest, kernelRelease: b.kernelRelease, configDigest: b.configDigest, cacheHit: true, artifacts };
    }

    await requireMachineType(s, opts.machineType);
    const dir = join(s.workDir, 'kernel-build');
    const manifestPath = join(dir, 'packer-manifest.json');
    const vars = {
      ...commonPackerVars(s, { bucket: s.bucket.name, flavor: ctx.flavor, digest, cycleId: ctx.cycleId, rc: ctx.rc, sourceImage: source.name, machineType: opts.machineType }),
      kernel_dir: join(repoRoot, 'kernel'),
      result_dir: dir,
      manifest_path: manifestPath,
    };
    const template = join(opts.packerDir, 'kernel-build.pkr.hcl');
    const reproducer = ['#!/bin/sh', '# Reruns the rcdebug gcp kernel build of these inputs.', 'set -eu', `cd ${shellWord(repoRoot)}`,
      `packer init ${shellWord(template)}`, ['packer', ...packerArgs({ template, vars })].map(shellWord).join(' '), ''].join('\n');
    await gcp(`GCS write ${at('packer-reproduce.sh')}`, () => s.bucket.file(`${prefix}packer-reproduce.sh`).save(reproducer, { resumable: false }));
    const logFile = join(dir, 'packer.log');
    try {
      await packerBuild({ template, vars, manifestPath, logFile, io, cwd: opts.packerDir });
    } catch (err) {
      // The builder uploads status.json even when it fails; config-rejected means the fragments lost options.
      const status = await readObject(s.bucket, `${prefix}status.json`).catch(() => undefined);
      if (status && (JSON.parse(status.text) as { result?: string }).result === 'config-rejected') {
        const verify = await readObject(s.bucket, `${prefix}verify.json`).catch(() => undefined);
        throw new UserError(`the ${ctx.flavor} fragments lost options on the Ubuntu kernel: ${verify?.text ?? '(see verify.json)'}; change kernel/flavors/${ctx.flavor}`, `kernel/flavors/${ctx.flavor}`);
      }
      throw isInfraError(err) ? err : new InfraError(`kernel build failed: ${(err as Error).message}`, err);
    } finally {
      await s.artifacts.putFile(`${ctx.cycleId}/kernel-build/packer.log`, logFile).catch(() => undefined);
    }
    const local = await readFile(join(dir, 'build.json'), 'utf8').catch(() => undefined);
    const text = local ?? (await readObject(s.bucket, `${prefix}build.json`))?.text;
    const built = text ? (JSON.parse(text) as BuildJson) : undefined;
    if (!built?.kernelRelease) throw new InfraError(`the kernel build finished without build.json (in ${dir} or ${at('build.json')})`);
    return { digest, kernelRelease: built.kernelRelease, configDigest: built.configDigest, cacheHit: false, artifacts };
  });
}
