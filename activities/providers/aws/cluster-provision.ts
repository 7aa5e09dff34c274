import type { ClusterProvisionInput, ClusterProvisionOutput, NodeInfo, StepIO } from '../../../src/domain/contract';
import { InfraError } from '../../../src/domain/errors';
import type { AwsDeps } from './deps';
import { waitForEks } from './eks-wait';
import { clusterInstances } from './nodes';
import { withStep } from './step-context';
import { selectWorkspace, terraformFor, terraformOutputs, writeVars, type TerraformVars } from './terraform';

function str(outputs: Record<string, unknown>, name: string, required: boolean): string {
  const v = outputs[name];
  if (typeof v === 'string' && v) return v;
  if (required) throw new InfraError(`terraform output ${name} is missing or not a string: terraform/aws/outputs.tf and the activity disagree`);
  return '';
}

/**
 * cluster-provision (aws): `terraform apply` of terraform/aws in the cycle's workspace (both
 * clusters, the workload one on the debug AMI), `terraform output -json` read back, then EKS
 * DescribeCluster/DescribeNodegroup until everything is ACTIVE, bounded and heartbeating.
 * The nodes are the workload cluster's instances.
 */
export async function awsClusterProvision(input: ClusterProvisionInput, io: StepIO, deps: AwsDeps): Promise<ClusterProvisionOutput> {
  const { ctx, kernel, image } = input;
  const opts = deps.options;
  return withStep(ctx, deps, async (s) => {
    const workload = s.manifest.workloadCluster!;
    const vars: TerraformVars = {
      cycle_id: ctx.cycleId,
      rc: ctx.rc,
      flavor: ctx.flavor,
      region: s.region,
      debug_ami_id: image.imageId,
      k8s_version: opts.kubernetesVersion,
      cp_cluster_name: s.manifest.cpCluster?.clusterName ?? `${workload.clusterName}-cp`,
      workload_cluster_name: workload.clusterName,
    };
    const tf = await terraformFor(ctx.cycleId, s.region, opts, io);
    await writeVars(tf, vars);
    await selectWorkspace(tf, true);
    await tf.run(['apply', '-auto-approve', '-input=false', '-no-color', `-var-file=${tf.varFile}`]);
    const out = await terraformOutputs(tf);
    const cp = { cluster: str(out, 'cp_cluster_name', true), nodegroups: [str(out, 'cp_node_group_name', false)].filter(Boolean) };
    const wl = { cluster: str(out, 'workload_cluster_name', true), nodegroups: [str(out, 'workload_node_group_name', false)].filter(Boolean) };
    await waitForEks(s.clients, [cp, wl], io, opts.clusterWaitSeconds, deps.pollMs);
    const instances = await clusterInstances(s.clients, wl.cluster);
    if (instances.length === 0) throw new InfraError(`the workload cluster ${wl.cluster} has no running nodes yet: the step will be retried`);
    const bucket = opts.bucket;
    const nodes: NodeInfo[] = instances.map((i) => {
      const id = i.InstanceId ?? 'unknown';
      const consoleKey = `artifacts/${ctx.cycleId}/log-harvest/console/${id}.log`;
      return {
        name: id,
        console: bucket ? `s3://${bucket}/${consoleKey}` : `ec2-console://${s.region}/${id}`,
        details: { instanceId: id, imageId: i.ImageId ?? '', privateDns: i.PrivateDnsName ?? '', state: i.State?.Name ?? '' },
      };
    });
    return {
      clusterId: wl.cluster,
      nodes,
      details: {
        region: s.region,
        workspace: tf.workspace,
        cpCluster: cp.cluster,
        workloadCluster: wl.cluster,
        cpNodeGroup: cp.nodegroups.join(','),
        workloadNodeGroup: wl.nodegroups.join(','),
        logGroup: str(out, 'log_group', false),
        imageId: image.imageId,
        kernelRelease: kernel.kernelRelease,
      },
    };
  });
}
