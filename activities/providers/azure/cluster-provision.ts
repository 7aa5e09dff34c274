import type { ClusterProvisionInput, ClusterProvisionOutput, NodeInfo, StepIO } from '../../../src/domain/contract';
import { InfraError } from '../../../src/domain/errors';
import type { AzureDeps } from './deps';
import { azure } from './errors';
import { listNodes } from '../../iac/kube-api';
import { vaultAccess } from './kubeconfig';
import { scaleSetVms } from './nodes';
import { requireSubscription } from './options';
import { withStep } from './step-context';
import { selectWorkspace, terraformFor, terraformOutputs, writeVars, type TerraformVars } from './terraform';

function str(outputs: Record<string, unknown>, name: string, required: boolean): string {
  const v = outputs[name];
  if (typeof v === 'string' && v) return v;
  if (required) throw new InfraError(`terraform output ${name} is missing or not a string: terraform/azure/outputs.tf and the activity disagree`);
  return '';
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new InfraError('the step was cancelled'));
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      reject(new InfraError('the step was cancelled'));
    }, { once: true });
  });
}

/**
 * Polls the workload cluster's Kubernetes API (the deployer kubeconfig from Key Vault) until `count`
 * nodes are Ready on the debug kernel release. Until kubeadm has stored the kubeconfig and the
 * API answers, every failure only means "not yet"; at the deadline it is an InfraError.
 */
async function waitForNodes(w: { deps: AzureDeps; io: StepIO; deadline: number; count: number; kernelRelease: string; cluster: string; access: () => Promise<import('../../iac/kubeconfig').ClusterAccess> }): Promise<void> {
  for (let n = 1; ; n++) {
    let why: string;
    try {
      const nodes = await listNodes(await w.access());
      const ready = nodes.filter((k) => k.ready && k.kernelVersion === w.kernelRelease);
      if (ready.length >= w.count) return;
      why = `${ready.length}/${w.count} nodes Ready on ${w.kernelRelease} (${nodes.map((k) => `${k.name}: ${k.ready ? 'Ready' : 'NotReady'} ${k.kernelVersion}`).join(', ') || 'no nodes yet'})`;
    } catch (err) {
      why = (err as Error).message.split('\n')[0] ?? 'unknown';
    }
    w.io.progress({ message: `${w.cluster}: ${why} (check ${n})` });
    if (Date.now() > w.deadline) throw new InfraError(`the workload cluster ${w.cluster} has no ${w.count} nodes Ready on the debug kernel ${w.kernelRelease} after the wait: ${why}`);
    await sleep(w.deps.pollMs ?? 10_000, w.io.signal);
  }
}

/**
 * cluster-provision (azure): `terraform apply` of terraform/azure in the cycle's workspace (the
 * cpCluster on AKS, the workload cluster as kubeadm on a scale set from the gallery version,
 * a deployer token kubeconfig in Key Vault), outputs read back, then AKS and every scale-set instance
 * polled until Succeeded, then the Kubernetes API until every node is Ready on the debug
 * kernel release, bounded and heartbeating. The nodes are the scale set's instances.
 */
export async function azureClusterProvision(input: ClusterProvisionInput, io: StepIO, deps: AzureDeps): Promise<ClusterProvisionOutput> {
  const { ctx, kernel, image } = input;
  const opts = deps.options;
  return withStep(ctx, deps, async (s) => {
    const workload = s.manifest.workloadCluster!;
    const vars: TerraformVars = {
      cycle_id: ctx.cycleId,
      rc: ctx.rc,
      flavor: ctx.flavor,
      location: s.location,
      subscription_id: requireSubscription(opts),
      gallery_image_version_id: image.imageId,
      k8s_version: opts.kubernetesVersion,
      vm_size: opts.vmSize,
      cp_cluster_name: s.manifest.cpCluster?.clusterName ?? `${workload.clusterName}-cp`,
      workload_cluster_name: workload.clusterName,
    };
    const tf = await terraformFor(ctx.cycleId, opts, io);
    await writeVars(tf, vars);
    await selectWorkspace(tf, true);
    await tf.run(['apply', '-auto-approve', '-input=false', '-no-color', `-var-file=${tf.varFile}`]);
    const out = await terraformOutputs(tf);
    const rg = str(out, 'resource_group', true);
    const cp = str(out, 'cp_cluster_name', true);
    const wl = str(out, 'workload_cluster_name', true);
    const vmss = str(out, 'workload_vmss_name', true);
    const deadline = Date.now() + opts.clusterWaitSeconds * 1000;
    for (let n = 1; ; n++) {
      const aks = await azure(`AKS managedClusters.get ${rg}/${cp}`, () => s.clients.aks.managedClusters.get(rg, cp));
      const vms = await scaleSetVms(s.clients, rg, vmss);
      const aksState = aks.provisioningState ?? 'Unknown';
      const pending = vms.filter((v) => (v.provisioningState ?? 'Unknown') !== 'Succeeded');
      io.progress({ message: `AKS ${cp}: ${aksState}; scale set ${vmss}: ${vms.length - pending.length}/${vms.length} instances Succeeded (check ${n})` });
      if (aksState === 'Failed' || pending.some((v) => v.provisioningState === 'Failed')) throw new InfraError(`AKS ${cp} or scale set ${vmss} failed to provision: terraform apply converges on the retry`);
      if (aksState === 'Succeeded' && vms.length > 0 && pending.length === 0) {
        await waitForNodes({ deps, io, deadline, count: vms.length, kernelRelease: kernel.kernelRelease, cluster: wl,
          access: () => vaultAccess(s.clients, str(out, 'key_vault_url', true), str(out, 'kubeconfig_secret_name', true), wl) });
        const nodes: NodeInfo[] = vms.map((v) => ({
          name: v.name ?? `${vmss}_${v.instanceId}`,
          console: `azure-boot-diagnostics://${rg}/${vmss}/${v.instanceId}`,
          details: { resourceGroup: rg, vmss, instanceId: v.instanceId ?? '', computerName: v.osProfile?.computerName ?? '' },
        }));
        return {
          clusterId: wl,
          nodes,
          details: {
            location: s.location,
            resourceGroup: rg,
            workspace: tf.workspace,
            cpCluster: cp,
            workloadCluster: wl,
            workloadVmss: vmss,
            keyVaultUrl: str(out, 'key_vault_url', true),
            kubeconfigSecret: str(out, 'kubeconfig_secret_name', true),
            logAnalyticsWorkspace: str(out, 'log_analytics_workspace_id', false),
            imageId: image.imageId,
            kernelRelease: kernel.kernelRelease,
          },
        };
      }
      if (Date.now() > deadline) throw new InfraError(`AKS ${cp} (${aksState}) or scale set ${vmss} not ready after the wait: the step will be retried`);
      await sleep(deps.pollMs ?? 10_000, io.signal);
    }
  });
}
