import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { KernelBuildInput, KernelBuildOutput, StepIO } from '../../../src/domain/contract';
import { aws } from './errors';
import { InfraError, UserError, isInfraError } from '../../../src/domain/errors';
import { repoRoot } from '../../../src/domain/paths';
import { ssmRegistry } from './ssm-registry';
import type { AwsDeps } from './deps';
import { imageBakeDigest, kernelBuildDigest } from './digests';
import { requireBucket } from './options';
import { packerArgs, packerBuild } from '../../iac/packer';
import { commonPackerVars } from './packer';
import { s3Json, s3Text } from './s3-json';
import { resolveSourceAmi } from './source-ami';
import { withStep } from './step-context';

/** What the builder writes to `kernels/<flavor>/<digest>/build.json` (kernel/aws/build-al2023-kernel.sh). */
interface BuildJson {
  kernelRelease: string;
  configDigest: string;
}

/** The S3 prefix of a kernel build. */
export function kernelPrefix(flavor: string, digest: string): string {
  return `kernels/${flavor}/${digest}/`;
}

/**
 * kernel-build (aws): a Packer build on a throwaway AL2023 instance (the EKS AMI of the
 * cluster's Kubernetes version, so the source matches the nodes) that uploads RPMs, .config,
 * build log and reproducer to `s3://<bucket>/kernels/<flavor>/<digest>/`. Cached twice: a
 * registry record of the image these inputs bake to, or a complete upload (`build.json`) from
 * an earlier run.
 */
export async function awsKernelBuild(input: KernelBuildInput, io: StepIO, deps: AwsDeps): Promise<KernelBuildOutput> {
  const { ctx } = input;
  const opts = deps.options;
  return withStep(ctx, deps, async (s) => {
    const bucket = requireBucket(opts);
    io.progress({ message: 'resolving the EKS AL2023 source AMI' });
    const sourceAmi = await resolveSourceAmi(s.clients, opts);
    const digest = await kernelBuildDigest({ packerDir: opts.packerDir, flavor: ctx.flavor, sourceAmi, kubernetesVersion: opts.kubernetesVersion });
    const prefix = kernelPrefix(ctx.flavor, digest);
    const at = (name: string) => `s3://${bucket}/${prefix}${name}`;
    const artifacts = { kernel: at('rpms/'), log: at('build.log'), reproducer: at('reproduce.sh'), config: at('config') };

    const imageDigest = await imageBakeDigest({ packerDir: opts.packerDir, flavor: ctx.flavor, kernelDigest: digest, sourceAmi, kubernetesVersion: opts.kubernetesVersion });
    const recorded = await ssmRegistry(s.clients.ssm).findByDigest('aws', ctx.flavor, imageDigest);
    if (recorded) {
      io.progress({ message: `cache hit in the registry: ${recorded.kernelRelease} (${imageDigest})` });
      return { digest, kernelRelease: recorded.kernelRelease, configDigest: recorded.configDigest, cacheHit: true, artifacts };
    }
    const uploaded = await s3Json<BuildJson>(s.clients, bucket, `${prefix}build.json`);
    if (uploaded) {
      io.progress({ message: `cache hit in S3: ${uploaded.kernelRelease} (${digest})` });
      return { digest, kernelRelease: uploaded.kernelRelease, configDigest: uploaded.configDigest, cacheHit: true, artifacts };
    }

    const dir = join(s.workDir, 'kernel-build');
    const manifestPath = join(dir, 'packer-manifest.json');
    const vars = {
      ...commonPackerVars({ region: s.region, bucket, flavor: ctx.flavor, digest, cycleId: ctx.cycleId, rc: ctx.rc, kubernetesVersion: opts.kubernetesVersion, sourceAmi }),
      kernel_dir: join(repoRoot, 'kernel'),
      result_dir: dir,
      manifest_path: manifestPath,
    };
    const template = join(opts.packerDir, 'kernel-build.pkr.hcl');
    // The reproducer goes up before the build starts, so even a failed build can be rerun by hand.
    const reproducer = ['#!/bin/sh', '# Reruns the rcdebug aws kernel build of these inputs.', 'set -eu', `cd ${JSON.stringify(repoRoot)}`,
      `packer init ${template}`, ['packer', ...packerArgs({ template, vars })].map(shellQuote).join(' '), ''].join('\n');
    await aws(`S3 PutObject ${at('packer-reproduce.sh')}`, () =>
      s.clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}packer-reproduce.sh`, Body: reproducer })),
    );
    const logFile = join(dir, 'packer.log');
    try {
      await packerBuild({ template, vars, manifestPath, logFile, io, cwd: opts.packerDir });
    } catch (err) {
      // The builder leaves status.json behind even when it fails; exit 3 means the fragments lost options.
      const status = await s3Json<{ result?: string; stage?: string }>(s.clients, bucket, `${prefix}status.json`).catch(() => undefined);
      if (status?.result === 'config-rejected') {
        const verify = await s3Text(s.clients, bucket, `${prefix}verify.json`).catch(() => undefined);
        throw new UserError(`the ${ctx.flavor} fragments lost options on the AL2023 kernel: ${verify ?? '(see verify.json)'}; change kernel/flavors/${ctx.flavor}`, `kernel/flavors/${ctx.flavor}`);
      }
      throw isInfraError(err) ? err : new InfraError(`kernel build failed: ${(err as Error).message}`, err);
    } finally {
      await s.artifacts.putFile(`${ctx.cycleId}/kernel-build/packer.log`, logFile).catch(() => undefined);
    }
    // build.json comes down from the builder; S3 has the same file when the download failed.
    const built = await readFile(join(dir, 'build.json'), 'utf8').then((t) => JSON.parse(t) as BuildJson).catch(() => s3Json<BuildJson>(s.clients, bucket, `${prefix}build.json`));
    if (!built?.kernelRelease) throw new InfraError(`the kernel build finished without build.json (in ${dir} or ${at('build.json')})`);
    return { digest, kernelRelease: built.kernelRelease, configDigest: built.configDigest, cacheHit: false, artifacts };
  });
}

/** Quotes one shell word. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
