import { dirname } from 'node:path';
import type { DeployInput, DeployOutput, StepIO } from '../../../src/domain/contract';
import { resolveInputPath } from '../../../src/domain/paths';
import { classifyHelm, helmArgs } from '../../exec/helm';
import { runTool } from '../../exec/run-tool';
import type { OciDeps } from './deps';
import { okeKubeconfig, writeKubeconfig } from './kubeconfig';
import { withStep } from './step-context';
import { toolPath } from './tools';

const CLUSTERS = [['cpCluster', 'cpClusterId'], ['workloadCluster', 'workloadClusterId']] as const;

/**
 * deploy (oci): for each cluster and deployment of the manifest, `helm upgrade --install
 * --atomic --wait` against a kubeconfig from the Container Engine API with a token signed by
 * the worker's API key, in a 0600 temp file that exists for that one helm run.
 */
export async function ociDeploy(input: DeployInput, io: StepIO, deps: OciDeps): Promise<DeployOutput> {
  const { ctx, cluster } = input;
  return withStep(ctx, deps, async (s) => {
    const helm = toolPath('helm');
    const manifestDir = dirname(resolveInputPath(ctx.manifest));
    const releases: string[] = [];
    for (const [key, idKey] of CLUSTERS) {
      const spec = s.manifest[key];
      if (!spec) continue;
      const name = cluster.details[key] || spec.clusterName;
      const clusterId = cluster.details[idKey] || cluster.clusterId;
      for (const [release, d] of Object.entries(spec.deployments)) {
        // A fresh token per release: OKE accepts one for a few minutes, `--wait` may take longer.
        const kube = await writeKubeconfig((await okeKubeconfig(s.clients, clusterId)).yaml);
        try {
          io.progress({ message: `helm: ${name}/${d.namespace}/${release}@${d.version}` });
          await runTool({
            cmd: helm,
            args: helmArgs(release, d, kube.path, manifestDir),
            logFile: `${s.workDir}/deploy/helm.log`,
            io,
            timeoutMs: 20 * 60_000,
            env: { HELM_KUBECONTEXT: undefined, KUBECONFIG: undefined },
            classify: classifyHelm(`${key}.deployments.${release}.chart`, d),
          });
        } finally {
          await kube.dispose();
        }
        releases.push(`${name}/${d.namespace}/${release}@${d.version}`);
      }
    }
    return { releases };
  });
}
