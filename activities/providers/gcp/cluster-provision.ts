import type { ClusterProvisionInput, ClusterProvisionOutput, StepIO } from '../../../src/domain/contract';
import { InfraError } from '../../../src/domain/errors';
import type { GcpDeps } from './deps';
import { listNodes, secretAccess, type KubeNode } from './kube';
import { labelValue } from './names';
import { groupInstances, type GroupInstance } from './nodes';
import { requireMachineType, withStep, type GcpStep } from './step-context';
import { gcpTerraform, selectWorkspace, terraformOutputs, writeVars, type GcpTerraformVars } from './terraform';

function str(out: Record<string, unknown>, name: string): string {
  const v = out[name];
  if (typeof v === 'string' && v) return v;
  throw new InfraError(`terraform output ${name} is missing or not a string: terraform/gcp/outputs.tf and the activity disagree`);
}

/**
 * Waits until every instance of the group runs with no pending action and (once the first node
 * wrote the admin kubeconfig to Secret Manager) Kubernetes calls each Ready on the debug
 * kernel release; bounded and heartbeating.
 */
async function waitForNodes(s: GcpStep, group: string, secret: string, kernelRelease: string, io: StepIO, seconds: number, pollMs: number): Promise<GroupInstance[]> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const instances = await groupInstances(s.clients, s.zone, group);
    let kube: KubeNode[] | undefined;
    let why = '';
    try {
      kube = await listNodes(await secretAccess(s.clients, secret));
    } catch (err) {
      why = (err as Error).message.slice(0, 160);
    }
    const running = instances.filter((i) => i.status === 'RUNNING' && i.action === 'NONE');
    const ready = running.filter((i) => kube?.some((k) => k.name === i.name && k.ready && k.kernelVersion === kernelRelease));
    if (instances.length > 0 && ready.length === instances.length) return instances;
    if (io.signal.aborted) throw new InfraError('cluster-provision was cancelled while waiting for the nodes');
    if (Date.now() > deadline) {
      throw new InfraError(`the workload group ${group} has ${ready.length}/${instances.length} nodes Ready on ${kernelRelease} after ${seconds} s${why ? ` (Kubernetes API: ${why})` : ''}: the step will be retried`);
    }
    io.progress({ message: `waiting for ${group}: ${running.length}/${instances.length} running, ${ready.length} Ready on ${kernelRelease}` });
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/**
 * cluster-provision (gcp): `terraform apply` of terraform/gcp in the cycle's workspace (the
 * VPC, the cpCluster on GKE, the workload cluster as kubeadm on a managed instance group from
 * the debug image), its outputs read back, then the group's instances and the Kubernetes nodes
 * polled until all are Ready on the debug kernel release.
 */
export async function gcpClusterProvision(input: ClusterProvisionInput, io: StepIO, deps: GcpDeps): Promise<ClusterProvisionOutput> {
  const { ctx, kernel, image } = input;
  const opts = deps.options;
  return withStep(ctx, deps, async (s) => {
    await requireMachineType(s, opts.machineType);
    const workload = s.manifest.workloadCluster!;
    const vars: GcpTerraformVars = {
      project_id: s.project, region: s.region, zone: s.zone,
      cycle_id: ctx.cycleId, cycle_label: labelValue(ctx.cycleId), rc_label: labelValue(ctx.rc), flavor: ctx.flavor,
      debug_image: image.imageId, machine_type: opts.machineType, k8s_version: opts.kubernetesVersion,
      cp_cluster_name: s.manifest.cpCluster?.clusterName ?? `${workload.clusterName}-cp`,
      workload_cluster_name: workload.clusterName,
    };
    const tf = await gcpTerraform(ctx.cycleId, opts, io);
    await writeVars(tf, vars);
    await selectWorkspace(tf, true);
    await tf.run(['apply', '-auto-approve', '-input=false', '-no-color', `-var-file=${tf.varFile}`]);
    const out = await terraformOutputs(tf);
    const group = str(out, 'workload_group_name');
    const secret = str(out, 'kubeconfig_secret');
    const instances = await waitForNodes(s, group, secret, kernel.kernelRelease, io, opts.clusterWaitSeconds, deps.pollMs ?? 10_000);
    return {
      clusterId: str(out, 'workload_cluster_name'),
      nodes: instances.map((i) => ({
        name: i.name,
        console: `gs://${s.bucket.name}/artifacts/${ctx.cycleId}/serial/${i.name}/`,
        details: { instance: i.name, zone: s.zone, project: s.project },
      })),
      details: {
        project: s.project, region: s.region, zone: s.zone, workspace: tf.workspace,
        cpCluster: str(out, 'cp_cluster_name'), cpLocation: str(out, 'cp_cluster_location'),
        workloadCluster: str(out, 'workload_cluster_name'), workloadGroup: group, kubeconfigSecret: secret,
        imageId: image.imageId, kernelRelease: kernel.kernelRelease,
      },
    };
  });
}
