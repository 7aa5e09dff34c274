/**
 * terraform/azure driven per cycle: its own data dir, the azurerm backend's partial config on
 * `init` (state in a Storage container, locked by a blob lease), one workspace per cycle. The
 * variables are written once to a JSON file next to the data dir so a teardown of a
 * half-provisioned cycle passes the very same values.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StepIO } from '../../../src/domain/contract';
import { InfraError, UserError } from '../../../src/domain/errors';
import { runTool } from '../../exec/run-tool';
import type { AzureProviderOptions } from './options';
import { requireSubscription } from './options';
import { safeName } from './step-context';
import { toolPath } from './tools';

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

/** One cycle's terraform: where its files are and how to call it. */
export interface TerraformRun {
  dataDir: string;
  varFile: string;
  workspace: string;
  logFile: string;
  run(args: string[], extra?: { onLine?: (line: string, stream: 'stdout' | 'stderr') => void; allowFailure?: boolean }): Promise<{ exitCode: number; tail: string[] }>;
}

/** The storage account of the state: RCDEBUG_AZURE_STORAGE_ACCOUNT, else the first label of the blob endpoint's host. */
function stateAccount(opts: AzureProviderOptions): string {
  const account = opts.storageAccount ?? (opts.storageUrl ? new URL(opts.storageUrl).hostname.split('.')[0] : undefined);
  if (!account) throw new UserError('no storage account for the terraform state: set RCDEBUG_AZURE_STORAGE_ACCOUNT (or RCDEBUG_AZURE_STORAGE_URL) on the azure worker', 'RCDEBUG_AZURE_STORAGE_ACCOUNT');
  return account;
}

/** Errors in terraform's output that are the user's: bad values, denied access, missing things. */
function classifyTerraform(f: { tail: string[] }): Error | undefined {
  const text = f.tail.join('\n');
  if (/Invalid value for variable|Unsupported argument|Missing required argument|No value for required variable/.test(text)) {
    return new UserError(`terraform refused its input:\n${f.tail.slice(-12).join('\n')}`, 'terraform variables');
  }
  if (/AuthorizationFailed|ExpiredAuthenticationToken|InvalidAuthenticationToken|SubscriptionNotFound|Please run 'az login'/.test(text)) {
    return new UserError(`terraform could not act with these Azure credentials:\n${f.tail.slice(-12).join('\n')}`, 'Azure credentials', 'refresh or fix the worker\'s Azure credentials and retry the step');
  }
  if (/SkuNotAvailable/.test(text)) return new UserError(`the VM size is not offered in this region:\n${f.tail.slice(-6).join('\n')}`, 'RCDEBUG_AZURE_VM_SIZE');
  return undefined;
}

/** Terraform for a cycle; `init` is run with the backend's partial config. */
export async function terraformFor(cycleId: string, opts: AzureProviderOptions, io: StepIO): Promise<TerraformRun> {
  const cmd = toolPath('terraform');
  const account = stateAccount(opts);
  const subscription = requireSubscription(opts);
  const dataDir = join(opts.stateDir, safeName(cycleId), 'terraform');
  await mkdir(dataDir, { recursive: true });
  const logFile = join(dataDir, 'terraform.log');
  const env = { TF_DATA_DIR: dataDir, TF_IN_AUTOMATION: '1', TF_INPUT: '0', CHECKPOINT_DISABLE: '1', ARM_SUBSCRIPTION_ID: subscription };
  const tf: TerraformRun = {
    dataDir,
    varFile: join(dataDir, 'rcdebug.tfvars.json'),
    workspace: safeName(cycleId),
    logFile,
    async run(args, extra = {}) {
      return runTool({
        cmd, args, cwd: opts.terraformDir, env, logFile, io,
        timeoutMs: 60 * 60_000,
        onLine: extra.onLine,
        progress: (line) => (line.trim() ? { message: `terraform: ${line.trim().slice(0, 160)}` } : undefined),
        classify: extra.allowFailure ? () => new InfraError('allowed failure') : classifyTerraform,
      }).catch((err: unknown) => {
        if (extra.allowFailure && !io.signal.aborted) return { exitCode: 1, tail: [] };
        throw err;
      });
    },
  };
  await tf.run([
    'init', '-input=false', '-reconfigure', '-no-color',
    `-backend-config=storage_account_name=${account}`,
    `-backend-config=container_name=${opts.stateContainer}`,
    `-backend-config=resource_group_name=${opts.resourceGroup}`,
    '-backend-config=key=rcdebug/azure.tfstate',
    '-backend-config=use_azuread_auth=true',
  ]);
  return tf;
}

export async function writeVars(tf: TerraformRun, vars: TerraformVars): Promise<void> {
  await writeFile(tf.varFile, `${JSON.stringify(vars, null, 2)}\n`, { mode: 0o600 });
}

export async function readVars(tf: TerraformRun): Promise<TerraformVars | undefined> {
  try {
    return JSON.parse(await readFile(tf.varFile, 'utf8')) as TerraformVars;
  } catch {
    return undefined;
  }
}

/** `terraform output -json`, flattened to name → value. */
export async function terraformOutputs(tf: TerraformRun): Promise<Record<string, unknown>> {
  const lines: string[] = [];
  await tf.run(['output', '-json', '-no-color'], { onLine: (line, stream) => stream === 'stdout' && lines.push(line) });
  try {
    const parsed = JSON.parse(lines.join('\n')) as Record<string, { value?: unknown }>;
    return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, v?.value]));
  } catch (err) {
    throw new InfraError(`terraform output -json printed no JSON (${(err as Error).message}); see ${tf.logFile}`);
  }
}

/** Selects the cycle's workspace; false when it does not exist and `create` is off. */
export async function selectWorkspace(tf: TerraformRun, create: boolean): Promise<boolean> {
  if (create) {
    await tf.run(['workspace', 'select', '-or-create', tf.workspace]);
    return true;
  }
  return (await tf.run(['workspace', 'select', tf.workspace], { allowFailure: true })).exitCode === 0;
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
  const vars = await readVars(tf);
  const varArgs = vars
    ? [`-var-file=${tf.varFile}`]
    : ['-var', `cycle_id=${c.cycleId}`, '-var', `rc=${c.rc}`, '-var', `flavor=${c.flavor}`, '-var', `location=${location}`, '-var', `subscription_id=${opts.subscriptionId ?? ''}`, '-var', 'gallery_image_version_id=none'];
  await tf.run(['destroy', '-auto-approve', '-input=false', '-no-color', ...varArgs]);
  await tf.run(['workspace', 'select', 'default']);
  await tf.run(['workspace', 'delete', tf.workspace]);
  return [`terraform workspace ${tf.workspace}`];
}
