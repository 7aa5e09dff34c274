import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KernelBuildInput, KernelBuildOutput, StepIO } from '../../../src/domain/contract';
import { InfraError, UserError, isInfraError } from '../../../src/domain/errors';
import { repoRoot } from '../../../src/domain/paths';
import { packerArgs, packerBuild } from '../../iac/packer';
import type { OciDeps } from './deps';
import { ociImageDigest, ociKernelDigest } from './digests';
import { requireImage } from './images';
import { objectRegistry } from './object-registry';
import { getJson, getText, objectRef, putText } from './objects';
import { required } from './options';
import { classifyOciPacker, ociPackerVars } from './packer-vars';
import { withStep } from './step-context';

/** What kernel/oci/build-uek-kernel.sh writes to `kernels/oci/<flavor>/<digest>/build.json`. */
interface BuildJson {
  kernelRelease: string;
  configDigest: string;
}

/** The object prefix of a kernel build. */
export const kernelPrefix = (flavor: string, digest: string): string => `kernels/oci/${flavor}/${digest}/`;

const quote = (w: string): string => (/^[A-Za-z0-9_./:=@%+-]+$/.test(w) ? w : `'${w.replaceAll("'", `'\\''`)}'`);

/**
 * kernel-build (oci): a Packer `oracle-oci` build on a throwaway instance of the OKE Oracle
 * Linux worker image (so the UEK source is the one the nodes run) that uploads RPMs, .config,
 * build log and reproducer to `kernels/oci/<flavor>/<digest>/` in the bucket. Cached twice: a
 * registry record of the image these inputs bake to, or a complete upload (`build.json`).
 */
export async function ociKernelBuild(input: KernelBuildInput, io: StepIO, deps: OciDeps): Promise<KernelBuildOutput> {
  const { ctx } = input;
  const opts = deps.options;
  return withStep(ctx, deps, async (s) => {
    const sourceImageId = required(opts, 'sourceImageId');
    await requireImage(s.clients, sourceImageId, 'RCDEBUG_OCI_SOURCE_IMAGE');
    const inputs = { packerDir: opts.packerDir, flavor: ctx.flavor, sourceImageId, kubernetesVersion: opts.kubernetesVersion };
    const digest = await ociKernelDigest(inputs);
    const prefix = kernelPrefix(ctx.flavor, digest);
    const at = (name: string) => objectRef(s.bucket, `${prefix}${name}`);
    const artifacts = { kernel: at('rpms/'), log: at('build.log'), reproducer: at('reproduce.sh'), config: at('config') };

    const imageDigest = await ociImageDigest({ ...inputs, kernelDigest: digest });
    const recorded = await objectRegistry(s.bucket).findByDigest('oci', ctx.flavor, imageDigest);
    if (recorded) {
      io.progress({ message: `cache hit in the registry: ${recorded.kernelRelease} (${imageDigest})` });
      return { digest, kernelRelease: recorded.kernelRelease, configDigest: recorded.configDigest, cacheHit: true, artifacts };
    }
    const uploaded = await getJson<BuildJson>(s.bucket, `${prefix}build.json`);
    if (uploaded) {
      io.progress({ message: `cache hit in Object Storage: ${uploaded.kernelRelease} (${digest})` });
      return { digest, kernelRelease: uploaded.kernelRelease, configDigest: uploaded.configDigest, cacheHit: true, artifacts };
    }

    const dir = join(s.workDir, 'kernel-build');
    const manifestPath = join(dir, 'packer-manifest.json');
    const vars = { ...ociPackerVars(ctx, s, opts, digest), kernel_dir: join(repoRoot, 'kernel'), result_dir: dir, manifest_path: manifestPath };
    const template = join(opts.packerDir, 'kernel-build');
    // The reproducer goes up before the build starts, so even a failed build can be rerun by hand.
    const reproducer = ['#!/bin/sh', '# Reruns the rcdebug oci kernel build of these inputs.', 'set -eu', `cd ${quote(repoRoot)}`,
      `packer init ${template}`, ['packer', ...packerArgs({ template, vars })].map(quote).join(' '), ''].join('\n');
    await putText(s.bucket, `${prefix}packer-reproduce.sh`, reproducer);
    const logFile = join(dir, 'packer.log');
    io.progress({ message: `kernel build of ${ctx.flavor} on ${sourceImageId}` });
    try {
      await packerBuild({ template, vars, manifestPath, logFile, io, cwd: opts.packerDir, classify: classifyOciPacker });
    } catch (err) {
      // The builder leaves status.json behind even when it fails; config-rejected means the fragments lost options.
      const status = await getJson<{ result?: string }>(s.bucket, `${prefix}status.json`).catch(() => undefined);
      if (status?.result === 'config-rejected') {
        const verify = await getText(s.bucket, `${prefix}verify.json`).catch(() => undefined);
        throw new UserError(`the ${ctx.flavor} fragments lost options on the UEK kernel: ${verify?.text ?? '(see verify.json)'}; change kernel/flavors/${ctx.flavor}`, `kernel/flavors/${ctx.flavor}`);
      }
      throw isInfraError(err) ? err : new InfraError(`kernel build failed: ${(err as Error).message}`, err);
    } finally {
      await s.artifacts.putFile(`${ctx.cycleId}/kernel-build/packer.log`, logFile).catch(() => undefined);
    }
    const built = await readFile(join(dir, 'build.json'), 'utf8').then((t) => JSON.parse(t) as BuildJson).catch(() => getJson<BuildJson>(s.bucket, `${prefix}build.json`));
    if (!built?.kernelRelease) throw new InfraError(`the kernel build finished without build.json (in ${dir} or ${at('build.json')})`);
    return { digest, kernelRelease: built.kernelRelease, configDigest: built.configDigest, cacheHit: false, artifacts };
  });
}
