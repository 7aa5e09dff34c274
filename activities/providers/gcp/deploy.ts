import { dirname, resolve } from 'node:path';
import type { DeployInput, DeployOutput, StepIO } from '../../../src/domain/contract';
import { UserError } from '../../../src/domain/errors';
import type { HelmDeployment } from '../../../src/domain/manifest/types';
import { resolveInputPath } from '../../../src/domain/paths';
import { runTool } from '../../exec/run-tool';
import type { GcpDeps } from './deps';
import { ensureKmemleakDaemonSet } from './kmemleak';
import { gkeAccess, secretAccess, withKubeconfig, type KubeAccess } from './kube';
import { withStep, type GcpStep } from './step-context';
import { toolPath } from '../../iac/tool-path';

/** helm's arguments for one deployment (no credentials: the kubeconfig is a file path). */
export function gcpHelmArgs(release: string, d: HelmDeployment, kubeconfig: string, manifestDir: string): string[] {
  return [
    'upgrade', '--install', release, `oci://${d.registry}/${d.chart}`, '--version', d.version,
    '--namespace', d.namespace, '--create-namespace',
    ...(d.valuesFile ? ['--values', resolve(manifestDir, d.valuesFile)] : []),
    '--atomic', '--wait', '--timeout', '15m', '--kubeconfig', kubeconfig,
  ];
}

/** A chart the registry lacks, or a registry that refuses us, is the manifest's to fix. */
function classifyHelm(field: string, d: HelmDeployment) {
  return (f: { tail: string[] }): Error | undefined => {
    const text = f.tail.join('\n');
    if (/not found|manifest unknown|404/i.test(text)) return new UserError(`the chart oci://${d.registry}/${d.chart} version ${d.version} is not in the registry: fix chart, version or registry in the manifest`, field);
    if (/unauthorized|denied|403|401/i.test(text)) return new UserError(`the registry ${d.registry} refused to serve ${d.chart}: log the worker in (helm registry login ${d.registry.split('/')[0]})`, field);
    return undefined;
  };
}

/** The access of each manifest cluster: GKE for the cpCluster, the Secret Manager kubeconfig for the workload one. */
async function accessOf(s: GcpStep, key: 'cpCluster' | 'workloadCluster', details: Record<string, string>): Promise<KubeAccess> {
  return key === 'cpCluster' ? gkeAccess(s.clients, details.cpLocation ?? s.region, details.cpCluster ?? '') : secretAccess(s.clients, details.kubeconfigSecret ?? '');
}

/**
 * deploy (gcp): `helm upgrade --install --atomic --wait` per deployment and cluster, the
 * kubeconfig (GKE: endpoint, CA and an access token of the worker's credentials; the kubeadm
 * cluster: its admin kubeconfig from Secret Manager) in a private temp file for that helm run
 * only. Then the kmemleak DaemonSet is installed on the workload cluster.
 */
export async function gcpDeploy(input: DeployInput, io: StepIO, deps: GcpDeps): Promise<DeployOutput> {
  const { ctx, cluster } = input;
  return withStep(ctx, deps, async (s) => {
    const helm = toolPath('helm');
    const manifestDir = dirname(resolveInputPath(ctx.manifest));
    const releases: string[] = [];
    for (const key of ['cpCluster', 'workloadCluster'] as const) {
      const spec = s.manifest[key];
      if (!spec) continue;
      const name = cluster.details[key] || spec.clusterName;
      for (const [release, d] of Object.entries(spec.deployments)) {
        // Fresh access per release: a GKE token lives an hour, and `--wait` may take a while.
        const access = await accessOf(s, key, cluster.details);
        io.progress({ message: `helm: ${name}/${d.namespace}/${release}@${d.version}` });
        await withKubeconfig(access, (kubeconfig) => runTool({
          cmd: helm, args: gcpHelmArgs(release, d, kubeconfig, manifestDir), logFile: `${s.workDir}/deploy/helm.log`, io, timeoutMs: 20 * 60_000,
          env: { HELM_KUBECONTEXT: undefined, KUBECONFIG: undefined }, classify: classifyHelm(`${key}.deployments.${release}.chart`, d),
        }));
        releases.push(`${name}/${d.namespace}/${release}@${d.version}`);
      }
    }
    const ds = await ensureKmemleakDaemonSet(await accessOf(s, 'workloadCluster', cluster.details), deps.options.kmemleakWaitSeconds);
    io.progress({ message: `kmemleak DaemonSet on ${cluster.details.workloadCluster ?? cluster.clusterId}: ${ds}` });
    return { releases };
  });
}
