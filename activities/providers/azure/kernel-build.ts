import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KernelBuildInput, KernelBuildOutput, StepIO } from '../../../src/domain/contract';
import { InfraError, UserError, isInfraError, isUserError } from '../../../src/domain/errors';
import { repoRoot } from '../../../src/domain/paths';
import { appConfigRegistry } from './appconfig-registry';
import { blobJson, blobText, deleteBlob, putBlob } from './blob-artifacts';
import type { AzureDeps } from './deps';
import { imageBakeDigest, kernelBuildDigest } from './digests';
import { packerArgs, packerBuild } from '../../iac/packer';
import { classifyPacker, shellQuote } from './packer';
import { commonPackerVars } from './packer-vars';
import { requireBlob, withStep } from './step-context';

/** What the builder writes to `kernels/<flavor>/<digest>/build.json` (kernel/azure/build-ubuntu-kernel.sh). */
interface BuildJson {
  kernelRelease: string;
  configDigest: string;
}

/** The blob prefix of a kernel build. */
export function kernelPrefix(flavor: string, digest: string): string {
  return `kernels/${flavor}/${digest}/`;
}

/**
 * kernel-build (azure): a Packer `azure-arm` build on a throwaway VM of the Ubuntu LTS image the
 * workload nodes run (so the source is the kernel they boot) that uploads the .deb packages,
 * .config, build log and reproducer to `<container>/kernels/<flavor>/<digest>/`. Cached twice:
 * a registry record of the image these inputs bake to, or a complete upload (`build.json`);
 * a cache hit starts no VM.
 */
export async function azureKernelBuild(input: KernelBuildInput, io: StepIO, deps: AzureDeps): Promise<KernelBuildOutput> {
  const { ctx } = input;
  const opts = deps.options;
  return withStep(ctx, deps, async (s) => {
    const blob = requireBlob(s);
    const digest = await kernelBuildDigest({ packerDir: opts.packerDir, flavor: ctx.flavor, sourceImage: opts.sourceImage, kubernetesVersion: opts.kubernetesVersion });
    const prefix = kernelPrefix(ctx.flavor, digest);
    const at = (name: string) => `azblob://${opts.container}/${prefix}${name}`;
    const artifacts = { kernel: at('debs/'), log: at('build.log'), reproducer: at('reproduce.sh'), config: at('config') };

    if (s.clients.appConfig) {
      const imageDigest = await imageBakeDigest({ packerDir: opts.packerDir, flavor: ctx.flavor, kernelDigest: digest, sourceImage: opts.sourceImage, kubernetesVersion: opts.kubernetesVersion });
      const recorded = await appConfigRegistry(s.clients.appConfig).findByDigest('azure', ctx.flavor, imageDigest);
      if (recorded) {
        io.progress({ message: `cache hit in the registry: ${recorded.kernelRelease} (${imageDigest})` });
        return { digest, kernelRelease: recorded.kernelRelease, configDigest: recorded.configDigest, cacheHit: true, artifacts };
      }
    }
    const uploaded = await blobJson<BuildJson>(blob, opts.container, `${prefix}build.json`);
    if (uploaded) {
      io.progress({ message: `cache hit in Blob Storage: ${uploaded.kernelRelease} (${digest})` });
      return { digest, kernelRelease: uploaded.kernelRelease, configDigest: uploaded.configDigest, cacheHit: true, artifacts };
    }

    const dir = join(s.workDir, 'kernel-build');
    const vars = { ...commonPackerVars(ctx, opts, { location: s.location, digest }), kernel_dir: join(repoRoot, 'kernel'), result_dir: dir, manifest_path: join(dir, 'packer-manifest.json') };
    const template = join(opts.packerDir, 'kernel-build');
    // The reproducer goes up before the build starts, so even a failed build can be rerun by hand.
    const reproducer = ['#!/bin/sh', '# Reruns the rcdebug azure kernel build of these inputs.', 'set -eu', `cd ${shellQuote(repoRoot)}`,
      `packer init ${shellQuote(template)}`, ['packer', ...packerArgs({ template, vars })].map(shellQuote).join(' '), ''].join('\n');
    await putBlob(blob, opts.container, `${prefix}packer-reproduce.sh`, reproducer);
    // A status left by an earlier failed build of these inputs must not speak for this one.
    await deleteBlob(blob, opts.container, `${prefix}status.json`);
    const logFile = join(dir, 'packer.log');
    try {
      await packerBuild({ template, vars, manifestPath: vars.manifest_path, logFile, io, cwd: opts.packerDir, classify: classifyPacker });
    } catch (err) {
      if (isUserError(err)) throw err;
      // The builder leaves status.json behind even when it fails; `config-rejected` means the fragments lost options.
      const status = await blobJson<{ result?: string }>(blob, opts.container, `${prefix}status.json`).catch(() => undefined);
      if (status?.result === 'config-rejected') {
        const verify = await blobText(blob, opts.container, `${prefix}verify.json`).catch(() => undefined);
        throw new UserError(`the ${ctx.flavor} fragments lost options on the Ubuntu kernel: ${verify ?? '(see verify.json)'}; change kernel/flavors/${ctx.flavor}`, `kernel/flavors/${ctx.flavor}`);
      }
      throw isInfraError(err) ? err : new InfraError(`kernel build failed: ${(err as Error).message}`, err);
    } finally {
      await s.artifacts.putFile(`${ctx.cycleId}/kernel-build/packer.log`, logFile).catch(() => undefined);
    }
    const built = await readFile(join(dir, 'build.json'), 'utf8').then((t) => JSON.parse(t) as BuildJson).catch(() => blobJson<BuildJson>(blob, opts.container, `${prefix}build.json`));
    if (!built?.kernelRelease) throw new InfraError(`the kernel build finished without build.json (in ${dir} or ${at('build.json')})`);
    return { digest, kernelRelease: built.kernelRelease, configDigest: built.configDigest, cacheHit: false, artifacts };
  });
}
