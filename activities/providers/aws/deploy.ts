import type { DeployInput, DeployOutput, StepIO } from '../../../src/domain/contract';
import { resolveInputPath } from '../../../src/domain/paths';
import { deployReleases } from '../../iac/helm';
import type { AwsDeps } from './deps';
import { clusterAccess, writeKubeconfig } from './kubeconfig';
import { withStep } from './step-context';

/**
 * deploy (aws): the manifest's releases through the shared helm deploy, against a kubeconfig
 * built from DescribeCluster and a fresh EKS token per release.
 */
export async function awsDeploy(input: DeployInput, io: StepIO, deps: AwsDeps): Promise<DeployOutput> {
  const { ctx, cluster } = input;
  return withStep(ctx, deps, (s) =>
    deployReleases(
      {
        manifest: s.manifest,
        manifestPath: resolveInputPath(ctx.manifest),
        clusterNames: cluster.details,
        logFile: `${s.workDir}/deploy/helm.log`,
        kubeconfig: async (_key, name) => writeKubeconfig(await clusterAccess(s.clients, name)),
      },
      io,
    ),
  );
}
