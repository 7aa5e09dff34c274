/** The workload cluster's VMs: the instances of its Virtual Machine Scale Set. */
import type { VirtualMachineScaleSetVM } from '@azure/arm-compute';
import type { NodeInfo } from '../../../src/domain/contract';
import type { AzureClients } from './config';
import { azure } from './errors';

/** Where a node lives: its scale set and instance id. */
export interface VmssNode {
  resourceGroup: string;
  vmss: string;
  instanceId: string;
}

/** Every instance of a scale set (all pages, `nextLink` followed by the SDK), ordered by instance id. */
export async function scaleSetVms(clients: AzureClients, resourceGroup: string, vmss: string): Promise<VirtualMachineScaleSetVM[]> {
  return azure(`Compute virtualMachineScaleSetVMs.list ${resourceGroup}/${vmss}`, async () => {
    const out: VirtualMachineScaleSetVM[] = [];
    for await (const vm of clients.compute.virtualMachineScaleSetVMs.list(resourceGroup, vmss)) out.push(vm);
    return out.sort((a, b) => Number(a.instanceId ?? 0) - Number(b.instanceId ?? 0));
  });
}

/** The scale-set address of a node reported by cluster-provision. */
export function vmssNode(n: NodeInfo): VmssNode {
  return { resourceGroup: n.details?.resourceGroup ?? '', vmss: n.details?.vmss ?? '', instanceId: n.details?.instanceId ?? n.name };
}
