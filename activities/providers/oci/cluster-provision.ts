import type { ClusterProvisionInput, ClusterProvisionOutput, NodeInfo, StepIO } from '../../../src/domain/contract';
import { InfraError } from '../../../src/domain/errors';
import { selectWorkspace, terraformOutputs, writeVars } from '../../iac/terraform';
import type { OciDeps } from './deps';
import { requireImage } from './images';
import { waitForOke } from './node-pools';
import { required } from './options';
import { withStep } from './step-context';
import { ociTerraform, type OciTerraformVars } from './terraform';

function str(outputs: Record<string, unknown>, name: string, required: boolean): string {
  const v = outputs[name];
  if (typeof v === 'string' && v) return v;
  if (required) throw new InfraError(`terraform output ${name} is missing or not a string: terraform/oci/outputs.tf and the activity disagree`);
  return '';
}

/**
 * cluster-provision (oci): `terraform apply` of terraform/oci in the cycle's workspace (VCN,
 * the control-plane OKE cluster on stock nodes, the workload OKE cluster whose node pool boots
 * the debug image), outputs read back, then both clusters and node pools polled until ACTIVE.
 * The nodes are the workload node pool's instances.
 */
export async function ociClusterProvision(input: ClusterProvisionInput, io: StepIO, deps: OciDeps): Promise<ClusterProvisionOutput> {
  const { ctx, kernel, image } = input;
  const opts = deps.options;
  return withStep(ctx, deps, async (s) => {
    const workload = s.manifest.workloadCluster!;
    await requireImage(s.clients, image.imageId, 'image-bake imageId');
    const creds = s.clients.credentials;
    const vars: OciTerraformVars = {
      cycle_id: ctx.cycleId,
      rc: ctx.rc,
      flavor: ctx.flavor,
      region: creds.region,
      tenancy_ocid: creds.tenancy,
      user_ocid: creds.user,
      fingerprint: creds.fingerprint,
      private_key_path: creds.keyFile,
      compartment_ocid: s.compartmentId,
      availability_domain: required(opts, 'availabilityDomain'),
      node_shape: opts.shape,
      debug_image_ocid: image.imageId,
      k8s_version: opts.kubernetesVersion,
      cp_cluster_name: s.manifest.cpCluster?.clusterName ?? `${workload.clusterName}-cp`,
      workload_cluster_name: workload.clusterName,
    };
    const tf = await ociTerraform(ctx.cycleId, { namespace: s.bucket.namespace, region: creds.region }, opts, io);
    await writeVars(tf, vars);
    await selectWorkspace(tf, true);
    await tf.run(['apply', '-auto-approve', '-input=false', '-no-color', `-var-file=${tf.varFile}`]);
    const out = await terraformOutputs(tf);
    const cp = { id: str(out, 'cp_cluster_id', true), name: str(out, 'cp_cluster_name', true), pool: str(out, 'cp_node_pool_id', true) };
    const wl = { id: str(out, 'workload_cluster_id', true), name: str(out, 'workload_cluster_name', true), pool: str(out, 'workload_node_pool_id', true) };
    const [, wlPool] = await waitForOke(s.clients, [cp.id, wl.id], [cp.pool, wl.pool], io, opts.clusterWaitSeconds, deps.pollMs ?? 15_000);
    const nodes: NodeInfo[] = (wlPool?.nodes ?? []).map((n) => ({
      name: n.id ?? n.name ?? 'unknown',
      console: `oci-console-history://${n.id}`,
      details: { instanceId: n.id ?? '', nodeName: n.name ?? '', privateIp: n.privateIp ?? '', nodePoolId: wl.pool, state: n.lifecycleState ?? '' },
    }));
    if (nodes.length === 0) throw new InfraError(`the workload node pool ${wl.pool} has no nodes yet: the step will be retried`);
    return {
      clusterId: wl.id,
      nodes,
      // What `rcdebug status` shows first: the node pools, then the clusters.
      details: {
        workloadNodePoolId: wl.pool,
        cpNodePoolId: cp.pool,
        workloadCluster: wl.name,
        cpCluster: cp.name,
        workloadClusterId: wl.id,
        cpClusterId: cp.id,
        region: creds.region,
        workspace: tf.workspace,
        logId: str(out, 'kernel_log_id', false),
        logGroupId: str(out, 'log_group_id', false),
        imageId: image.imageId,
        kernelRelease: kernel.kernelRelease,
      },
    };
  });
}
