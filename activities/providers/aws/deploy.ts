import type { DeployInput, DeployOutput, StepIO } from '../../../src/domain/contract';
import { clusterAccess, writeKubeconfig } from './kubeconfig';
import { helmDeployAll } from '../../exec/helm';
import { resolveInputPath } from '../../../src/domain/paths';
import type { AwsDeps } from './deps';
import { withStep } from './step-context';
import { toolPath } from './tools';

/**
 * deploy (aws): for each cluster and deployment of the manifest, `helm upgrade --install` from
 * the OCI registry (namespace created, values file, --atomic --wait), against a kubeconfig
 * built from DescribeCluster and an EKS token, in a 0600 temp file deleted afterwards.
 */
export async function awsDeploy(input: DeployInput, io: StepIO, deps: AwsDeps): Promise<DeployOutput> {
  const { ctx, cluster } = input;
  return withStep(ctx, deps, async (s) => ({
    releases: await helmDeployAll({
      manifest: s.manifest,
      manifestPath: resolveInputPath(ctx.manifest),
      helm: toolPath('helm'),
      logFile: `${s.workDir}/deploy/helm.log`,
      io,
      clusterName: (key) => cluster.details[key],
      // A fresh token per release: EKS accepts one for 15 minutes, and `--wait` may take that long.
      kubeconfig: async (_key, name) => writeKubeconfig(await clusterAccess(s.clients, name)),
    }),
  }));
}
