import type { DeployInput, DeployOutput, StepIO } from '../../../src/domain/contract';
import { resolveInputPath } from '../../../src/domain/paths';
import { deployReleases } from '../../iac/helm';
import { writeKubeconfigFile } from '../../iac/kubeconfig';
import type { OciDeps } from './deps';
import { okeKubeconfig } from './kubeconfig';
import { withStep } from './step-context';

/**
 * deploy (oci): for each cluster and deployment of the manifest, `helm upgrade --install
 * --atomic --wait` against a kubeconfig from the Container Engine API with a token signed by
 * the worker's API key, in a 0600 temp file that exists for that one helm run.
 */
export async function ociDeploy(input: DeployInput, io: StepIO, deps: OciDeps): Promise<DeployOutput> {
  const { ctx, cluster } = input;
  const ids = { cpCluster: cluster.details.cpClusterId, workloadCluster: cluster.details.workloadClusterId || cluster.clusterId };
  return withStep(ctx, deps, (s) =>
    deployReleases(
      {
        manifest: s.manifest,
        manifestPath: resolveInputPath(ctx.manifest),
        clusterNames: cluster.details,
        logFile: `${s.workDir}/deploy/helm.log`,
        kubeconfig: async (key) => writeKubeconfigFile((await okeKubeconfig(s.clients, ids[key] ?? cluster.clusterId)).yaml),
      },
      io,
    ),
  );
}
