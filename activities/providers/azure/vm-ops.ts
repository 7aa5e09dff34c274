/**
 * What the soak and the harvest do on one workload VM through Resource Manager: its serial log
 * from boot diagnostics (a SAS URL of the log blob), its instance view, and a shell script run
 * through Run Command (a long-running operation the SDK polls).
 */
import type { AzureClients } from './config';
import { azure, azureMaybe, azureStatus } from './errors';
import { sasBlob } from './blob-artifacts';
import type { VmssNode } from './nodes';

const where = (n: VmssNode) => `${n.resourceGroup}/${n.vmss}/${n.instanceId}`;

/** The serial console log of a VM, or undefined when the VM (or its log) is gone. */
export async function serialLog(clients: AzureClients, n: VmssNode): Promise<Buffer | undefined> {
  const data = await azureMaybe(`Compute retrieveBootDiagnosticsData ${where(n)}`, () =>
    clients.compute.virtualMachineScaleSetVMs.retrieveBootDiagnosticsData(n.resourceGroup, n.vmss, n.instanceId, { sasUriExpirationTimeInMinutes: 60 }));
  if (!data?.serialConsoleLogBlobUri) return undefined;
  return sasBlob(data.serialConsoleLogBlobUri);
}

/** The power state of a VM (`running`, `stopped`, ...), `gone` when it no longer exists. */
export async function powerState(clients: AzureClients, n: VmssNode): Promise<string> {
  try {
    const view = await clients.compute.virtualMachineScaleSetVMs.getInstanceView(n.resourceGroup, n.vmss, n.instanceId);
    const code = view.statuses?.find((s) => s.code?.startsWith('PowerState/'))?.code;
    return code ? code.slice('PowerState/'.length) : 'unknown';
  } catch (err) {
    if (azureStatus(err) === 404) return 'gone';
    return azure(`Compute getInstanceView ${where(n)}`, () => Promise.reject(err));
  }
}

/** Runs `script` on a VM with Run Command; its stdout, or the failure text. */
export async function runShell(clients: AzureClients, n: VmssNode, script: string[]): Promise<{ ok: boolean; output: string }> {
  const res = await azure(`Compute runCommand ${where(n)}`, () =>
    clients.compute.virtualMachineScaleSetVMs.runCommand(n.resourceGroup, n.vmss, n.instanceId, { commandId: 'RunShellScript', script }, { updateIntervalInMs: clients.pollMs }));
  const message = res.value?.map((s) => s.message ?? '').join('\n') ?? '';
  const stdout = /\[stdout\]\n([\s\S]*?)(?:\n\[stderr\]|$)/.exec(message)?.[1] ?? message;
  const ok = (res.value ?? []).every((s) => !s.code || /succeeded/i.test(s.code));
  return { ok, output: ok ? stdout : message };
}
