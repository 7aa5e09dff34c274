/**
 * terraform/gcp driven per cycle: its own data dir (backend settings, selected workspace), the
 * gcs backend (state in the bucket, its native locking) configured on `init`, one workspace per
 * cycle. The variables are written once next to the data dir, so a teardown of a
 * half-provisioned cycle passes the very same values.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StepIO } from '../../../src/domain/contract';
import { InfraError, UserError } from '../../../src/domain/errors';
import { runTool } from '../../exec/run-tool';
import type { GcpProviderOptions } from './options';
import { safeName } from './step-context';
import { toolPath } from './tools';

/** The stack's variables (terraform/gcp/variables.tf). */
export interface GcpTerraformVars {
  project_id: string;
  region: string;
  zone: string;
  cycle_id: string;
  cycle_label: string;
  rc_label: string;
  flavor: string;
  debug_image: string;
  machine_type: string;
  k8s_version: string;
  cp_cluster_name: string;
  workload_cluster_name: string;
}

export interface GcpTerraform {
  varFile: string;
  workspace: string;
  logFile: string;
  run(args: string[], extra?: { onLine?: (line: string, stream: 'stdout' | 'stderr') => void; allowFailure?: boolean }): Promise<{ exitCode: number; tail: string[] }>;
}

/** Output of terraform that is the user's to fix: bad values, denied access, a quota. */
function classify(f: { tail: string[] }): Error | undefined {
  const text = f.tail.join('\n');
  if (/Invalid value for variable|Unsupported argument|Missing required argument|No value for required variable/.test(text)) {
    return new UserError(`terraform refused its input:\n${f.tail.slice(-12).join('\n')}`, 'terraform variables');
  }
  if (/Error 403|PERMISSION_DENIED|Error 401|invalid_grant|could not find default credentials/i.test(text)) {
    return new UserError(`terraform could not act with these Google credentials:\n${f.tail.slice(-12).join('\n')}`, 'Google credentials', 'grant the role in terraform/gcp/worker-role.yaml or refresh the credentials, then retry the step');
  }
  return undefined;
}

/** Terraform for a cycle; `init` runs with the gcs backend's partial config. */
export async function gcpTerraform(cycleId: string, opts: GcpProviderOptions, io: StepIO): Promise<GcpTerraform> {
  const cmd = toolPath('terraform');
  const bucket = opts.stateBucket ?? opts.bucket;
  if (!bucket) throw new UserError('no terraform state bucket: set RCDEBUG_TF_STATE_BUCKET (or RCDEBUG_GCS_BUCKET) on the gcp worker', 'RCDEBUG_TF_STATE_BUCKET');
  const dataDir = join(opts.stateDir, safeName(cycleId), 'terraform');
  await mkdir(dataDir, { recursive: true });
  const logFile = join(dataDir, 'terraform.log');
  const env = { TF_DATA_DIR: dataDir, TF_IN_AUTOMATION: '1', TF_INPUT: '0', CHECKPOINT_DISABLE: '1' };
  const tf: GcpTerraform = {
    varFile: join(dataDir, 'rcdebug.tfvars.json'),
    workspace: safeName(cycleId),
    logFile,
    run: (args, extra = {}) =>
      runTool({
        cmd, args, cwd: opts.terraformDir, env, logFile, io, timeoutMs: 60 * 60_000, onLine: extra.onLine,
        progress: (line) => (line.trim() ? { message: `terraform: ${line.trim().slice(0, 160)}` } : undefined),
        classify: extra.allowFailure ? () => new InfraError('allowed failure') : classify,
      }).catch((err: unknown) => {
        if (extra.allowFailure && !io.signal.aborted) return { exitCode: 1, tail: [] };
        throw err;
      }),
  };
  await tf.run(['init', '-input=false', '-reconfigure', '-no-color', `-backend-config=bucket=${bucket}`, '-backend-config=prefix=rcdebug/gcp']);
  return tf;
}

export async function writeTfVars(tf: GcpTerraform, vars: GcpTerraformVars): Promise<void> {
  await writeFile(tf.varFile, `${JSON.stringify(vars, null, 2)}\n`, { mode: 0o600 });
}

export async function readTfVars(tf: GcpTerraform): Promise<GcpTerraformVars | undefined> {
  return readFile(tf.varFile, 'utf8').then((t) => JSON.parse(t) as GcpTerraformVars).catch(() => undefined);
}

/** `terraform output -json` as name → value. */
export async function tfOutputs(tf: GcpTerraform): Promise<Record<string, unknown>> {
  const out: string[] = [];
  await tf.run(['output', '-json', '-no-color'], { onLine: (line, stream) => void (stream === 'stdout' && out.push(line)) });
  try {
    const parsed = JSON.parse(out.join('\n')) as Record<string, { value?: unknown }>;
    return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, v?.value]));
  } catch (err) {
    throw new InfraError(`terraform output -json printed no JSON (${(err as Error).message}); see ${tf.logFile}`);
  }
}

/** Selects the cycle's workspace (created when `create`); false when it does not exist. */
export async function useWorkspace(tf: GcpTerraform, create: boolean): Promise<boolean> {
  const r = await tf.run(['workspace', 'select', ...(create ? ['-or-create'] : []), tf.workspace], { allowFailure: !create });
  return r.exitCode === 0;
}
