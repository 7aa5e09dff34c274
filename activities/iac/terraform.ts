/**
 * A cloud's terraform stack driven per cycle: its own data dir (backend settings, selected
 * workspace) so two cycles never share `.terraform`, the backend's partial config on `init`,
 * and one workspace per cycle. The variables are written once to a JSON file next to the data
 * dir so a teardown of a half-provisioned cycle passes the very same values.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StepIO } from '../../src/domain/contract';
import { InfraError, UserError } from '../../src/domain/errors';
import { runTool } from '../exec/run-tool';
import { safeName } from './names';
import { toolPath } from './tool-path';

/** One cycle's terraform: where its files are and how to call it. */
export interface TerraformRun {
  dataDir: string;
  varFile: string;
  workspace: string;
  logFile: string;
  run(args: string[], extra?: { onLine?: (line: string, stream: 'stdout' | 'stderr') => void; timeoutMs?: number; allowFailure?: boolean }): Promise<{ exitCode: number; tail: string[] }>;
}

/** Output that means the worker's credentials cannot act: the field to fix and how. */
export interface CredentialFault {
  pattern: RegExp;
  field: string;
  hint: string;
}

export interface TerraformSetup {
  cycleId: string;
  /** The stack's folder (`terraform/<cloud>`). */
  terraformDir: string;
  /** The worker's state folder; the cycle's data dir goes under it. */
  stateDir: string;
  /**
   * `-backend-config=...` arguments of `init` (state bucket or container, key, locking), or a
   * function that writes a backend file into the cycle's data dir and returns the arguments.
   */
  backendConfig: string[] | ((dataDir: string) => Promise<string[]>);
  /** Environment of every run beyond terraform's own settings (the cloud's credentials variables). */
  env?: Record<string, string | undefined>;
  /** The cloud's words for "these credentials cannot act" in terraform's output, and what to do. */
  credentials: CredentialFault | CredentialFault[];
}

/** Terraform for a cycle; `init` is run with the backend's partial config. */
export async function terraformFor(setup: TerraformSetup, io: StepIO): Promise<TerraformRun> {
  const cmd = toolPath('terraform');
  const dataDir = join(setup.stateDir, safeName(setup.cycleId), 'terraform');
  await mkdir(dataDir, { recursive: true });
  const logFile = join(dataDir, 'terraform.log');
  const env = { ...setup.env, TF_DATA_DIR: dataDir, TF_IN_AUTOMATION: '1', TF_INPUT: '0', CHECKPOINT_DISABLE: '1' };
  const classify = classifyTerraform(setup.credentials);
  const tf: TerraformRun = {
    dataDir,
    varFile: join(dataDir, 'rcdebug.tfvars.json'),
    workspace: safeName(setup.cycleId),
    logFile,
    async run(args, extra = {}) {
      return runTool({
        cmd,
        args,
        cwd: setup.terraformDir,
        env,
        logFile,
        io,
        timeoutMs: extra.timeoutMs ?? 60 * 60_000,
        onLine: extra.onLine,
        progress: (line) => (line.trim() ? { message: `terraform: ${line.trim().slice(0, 160)}` } : undefined),
        classify: extra.allowFailure ? () => new InfraError('allowed failure') : classify,
      }).catch((err: unknown) => {
        if (extra.allowFailure && !io.signal.aborted) return { exitCode: 1, tail: [] };
        throw err;
      });
    },
  };
  const backend = typeof setup.backendConfig === 'function' ? await setup.backendConfig(dataDir) : setup.backendConfig;
  await tf.run(['init', '-input=false', '-reconfigure', '-no-color', ...backend]);
  return tf;
}

/** Errors in terraform's output that are the user's: bad values, denied access, missing things. */
function classifyTerraform(credentials: TerraformSetup['credentials']) {
  const faults = Array.isArray(credentials) ? credentials : [credentials];
  return (f: { tail: string[] }): Error | undefined => {
    const text = f.tail.join('\n');
    if (/Invalid value for variable|Unsupported argument|Missing required argument|No value for required variable/.test(text)) {
      return new UserError(`terraform refused its input:\n${f.tail.slice(-12).join('\n')}`, 'terraform variables');
    }
    const fault = faults.find((c) => c.pattern.test(text));
    if (fault) {
      return new UserError(`terraform could not act with these credentials:\n${f.tail.slice(-12).join('\n')}`, fault.field, fault.hint);
    }
    return undefined;
  };
}

/** Writes the variables of the cycle (once: teardown reuses them). */
export async function writeVars<V extends object>(tf: TerraformRun, vars: V): Promise<void> {
  await writeFile(tf.varFile, `${JSON.stringify(vars, null, 2)}\n`, { mode: 0o600 });
}

/** The variables written at provision time, if any. */
export async function readVars<V extends object>(tf: TerraformRun): Promise<V | undefined> {
  try {
    return JSON.parse(await readFile(tf.varFile, 'utf8')) as V;
  } catch {
    return undefined;
  }
}

/** `terraform output -json`, flattened to name → value. */
export async function terraformOutputs(tf: TerraformRun): Promise<Record<string, unknown>> {
  const lines: string[] = [];
  await tf.run(['output', '-json', '-no-color'], { onLine: (line, stream) => stream === 'stdout' && lines.push(line) });
  let parsed: Record<string, { value?: unknown }>;
  try {
    parsed = JSON.parse(lines.join('\n')) as typeof parsed;
  } catch (err) {
    throw new InfraError(`terraform output -json printed no JSON (${(err as Error).message}); see ${tf.logFile}`);
  }
  return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, v?.value]));
}

/** Selects the cycle's workspace; false when it does not exist and `create` is off. */
export async function selectWorkspace(tf: TerraformRun, create: boolean): Promise<boolean> {
  if (create) {
    await tf.run(['workspace', 'select', '-or-create', tf.workspace]);
    return true;
  }
  const r = await tf.run(['workspace', 'select', tf.workspace], { allowFailure: true });
  return r.exitCode === 0;
}

/** `terraform destroy` with the cycle's variables, then its workspace deleted. */
export async function destroyWorkspace(tf: TerraformRun, varArgs: string[]): Promise<void> {
  await tf.run(['destroy', '-auto-approve', '-input=false', '-no-color', ...varArgs]);
  await tf.run(['workspace', 'select', 'default']);
  await tf.run(['workspace', 'delete', tf.workspace]);
}
