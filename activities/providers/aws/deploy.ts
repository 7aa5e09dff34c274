import { dirname } from 'node:path';
import type { DeployInput, DeployOutput, StepIO } from '../../../src/domain/contract';
import { clusterAccess, writeKubeconfig } from './kubeconfig';
import { runTool } from '../../exec/run-tool';
import { classifyHelm, helmArgs } from '../../exec/helm';
import { resolveInputPath } from '../../../src/domain/paths';
import type { AwsDeps } from './deps';
import { withStep } from './step-context';
import { toolPath } from './tools';

const CLUSTERS = ['cpCluster', 'workloadCluster'] as const;

/**
 * deploy (aws): for each cluster and deployment of the manifest, `helm upgrade --install` from
 * the OCI registry (namespace created, values file, --atomic --wait), against a kubeconfig
 * built from DescribeCluster and an EKS token, in a 0600 temp file deleted afterwards.
 */
export async function awsDeploy(input: DeployInput, io: StepIO, deps: AwsDeps): Promise<DeployOutput> {
  const { ctx, cluster } = input;
  return withStep(ctx, deps, async (s) => {
    const helm = toolPath('helm');
    const manifestDir = dirname(resolveInputPath(ctx.manifest));
    const releases: string[] = [];
    for (const key of CLUSTERS) {
      const spec = s.manifest[key];
      if (!spec) continue;
      const name = cluster.details[key] || spec.clusterName;
      for (const [release, d] of Object.entries(spec.deployments)) {
        // A fresh token per release: EKS accepts one for 15 minutes, and `--wait` may take that long.
        const kube = await writeKubeconfig(await clusterAccess(s.clients, name));
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
