import { resolve, dirname } from 'node:path';
import type { DeployInput, DeployOutput, StepIO } from '../../../src/domain/contract';
import { clusterAccess, writeKubeconfig } from './kubeconfig';
import { UserError } from '../../../src/domain/errors';
import { runTool } from '../../exec/run-tool';
import type { HelmDeployment } from '../../../src/domain/manifest/types';
import { resolveInputPath } from '../../../src/domain/paths';
import type { AwsDeps } from './deps';
import { withStep } from './step-context';
import { toolPath } from './tools';

const CLUSTERS = ['cpCluster', 'workloadCluster'] as const;

/** helm's arguments for one deployment (no credentials: the kubeconfig is a file path). */
export function helmArgs(release: string, d: HelmDeployment, kubeconfig: string, manifestDir: string): string[] {
  return [
    'upgrade', '--install', release, `oci://${d.registry}/${d.chart}`,
    '--version', d.version,
    '--namespace', d.namespace, '--create-namespace',
    ...(d.valuesFile ? ['--values', resolve(manifestDir, d.valuesFile)] : []),
    '--atomic', '--wait', '--timeout', '15m',
    '--kubeconfig', kubeconfig,
  ];
}

/** A chart or version the registry does not have, or a registry that refuses us, is the manifest's to fix. */
function classifyHelm(field: string, d: HelmDeployment) {
  return (f: { tail: string[] }): Error | undefined => {
    const text = f.tail.join('\n');
    if (/not found|manifest unknown|FetchReference|404/i.test(text)) {
      return new UserError(
        `the chart oci://${d.registry}/${d.chart} version ${d.version} is not in the registry: fix chart, version or registry in the manifest (${text.split('\n').filter((l) => /error/i.test(l)).pop() ?? f.tail.at(-1) ?? ''})`,
        field,
      );
    }
    if (/unauthorized|denied|403|401/i.test(text)) {
      return new UserError(`the registry ${d.registry} refused to serve ${d.chart}: log the worker in (helm registry login ${d.registry.split('/')[0]})`, `${field.replace(/\.chart$/, '')}.registry`);
    }
    return undefined;
  };
}

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
