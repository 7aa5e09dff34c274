/**
 * terraform/azure driven per cycle through the shared driver (activities/iac/terraform.ts): the
 * azurerm backend's partial config on `init` (state in a Storage container, locked by a blob
 * lease; one workspace per cycle) and Azure's words for credentials that cannot act.
 */
import type { StepIO } from '../../../src/domain/contract';
import { UserError } from '../../../src/domain/errors';
import { destroyWorkspace, readVars, selectWorkspace, terraformFor as cycleTerraform, type TerraformRun } from '../../iac/terraform';
import type { AzureProviderOptions } from './options';
import { requireSubscription } from './options';

export { readVars, selectWorkspace, terraformOutputs, writeVars, type TerraformRun } from '../../iac/terraform';

export interface TerraformVars {
  cycle_id: string;
  rc: string;
  flavor: string;
  location: string;
  subscription_id: string;
  gallery_image_version_id: string;
  k8s_version: string;
  vm_size: string;
  cp_cluster_name: string;
  workload_cluster_name: string;
}

/** The storage account of the state: RCDEBUG_AZURE_STORAGE_ACCOUNT, else the first label of the blob endpoint's host. */
function stateAccount(opts: AzureProviderOptions): string {
  const account = opts.storageAccount ?? (opts.storageUrl ? new URL(opts.storageUrl).hostname.split('.')[0] : undefined);
  if (!account) throw new UserError('no storage account for the terraform state: set RCDEBUG_AZURE_STORAGE_ACCOUNT (or RCDEBUG_AZURE_STORAGE_URL) on the azure worker', 'RCDEBUG_AZURE_STORAGE_ACCOUNT');
  return account;
}

/** Terraform for a cycle; `init` is run with the azurerm backend's partial config. */
export function terraformFor(cycleId: string, opts: AzureProviderOptions, io: StepIO): Promise<TerraformRun> {
  return cycleTerraform(
    {
      cycleId,
      terraformDir: opts.terraformDir,
      stateDir: opts.stateDir,
      backendConfig: [
        `-backend-config=storage_account_name=${stateAccount(opts)}`,
        `-backend-config=container_name=${opts.stateContainer}`,
        `-backend-config=resource_group_name=${opts.resourceGroup}`,
        '-backend-config=key=rcdebug/azure.tfstate',
        '-backend-config=use_azuread_auth=true',
      ],
      env: { ARM_SUBSCRIPTION_ID: requireSubscription(opts) },
      credentials: {
        pattern: /AuthorizationFailed|ExpiredAuthenticationToken|InvalidAuthenticationToken|SubscriptionNotFound|Please run 'az login'/,
        field: 'Azure credentials',
        hint: "refresh or fix the worker's Azure credentials and retry the step",
      },
    },
    io,
  );
}

/**
 * `terraform destroy` in a cycle's workspace, then the workspace deleted. A workspace that does
 * not exist (never provisioned, already destroyed) removes nothing and succeeds.
 */
export async function destroyCycleWorkspace(c: { cycleId: string; rc: string; flavor: string }, location: string, opts: AzureProviderOptions, io: StepIO): Promise<string[]> {
  const tf = await terraformFor(c.cycleId, opts, io);
  if (!(await selectWorkspace(tf, false))) {
    io.progress({ message: `no terraform workspace ${tf.workspace}: nothing to destroy` });
    return [];
  }
  const vars = await readVars<TerraformVars>(tf);
  const varArgs = vars
    ? [`-var-file=${tf.varFile}`]
    : ['-var', `cycle_id=${c.cycleId}`, '-var', `rc=${c.rc}`, '-var', `flavor=${c.flavor}`, '-var', `location=${location}`, '-var', `subscription_id=${opts.subscriptionId ?? ''}`, '-var', 'gallery_image_version_id=none'];
  await destroyWorkspace(tf, varArgs);
  return [`terraform workspace ${tf.workspace}`];
}
