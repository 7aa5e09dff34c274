/**
 * terraform (OpenTofu) driven per cycle, for every cloud: its own data dir (backend settings,
 * selected workspace) so two cycles never share `.terraform`, one workspace per cycle, the
 * variables written once to a JSON file so a teardown of a half-provisioned cycle passes the
 * very same values, and `output -json` read back. The cloud gives the backend's `init` flags
 * and what in terraform's output is the user's fault.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StepIO } from '../../src/domain/contract';
import { InfraError } from '../../src/domain/errors';
import { runTool } from './run-tool';

/** One cycle's terraform: where its files are and how to call it. */
export interface TerraformRun {
  dataDir: string;
  varFile: string;
  workspace: string;
  logFile: string;
  run(args: string[], extra?: { onLine?: (line: string, stream: 'stdout' | 'stderr') => void; timeoutMs?: number; allowFailure?: boolean }): Promise<{ exitCode: number; tail: string[] }>;
}

export interface TerraformSetup {
  cmd: string;
  /** The stack (terraform/<cloud>). */
  stackDir: string;
  /** This cycle's data dir. */
  dataDir: string;
  workspace: string;
  io: StepIO;
  /** `init` flags after `init -input=false -reconfigure -no-color` (the backend's partial config). */
  initArgs: string[];
  /** Turns a failure into a UserError when the output shows the user's fault. */
  classify(f: { tail: string[] }): Error | undefined;
  env?: Record<string, string> | undefined;
}

/** Terraform for a cycle; `init` is run with the backend's partial config. */
export async function terraformRun(t: TerraformSetup): Promise<TerraformRun> {
  await mkdir(t.dataDir, { recursive: true });
  const logFile = join(t.dataDir, 'terraform.log');
  const env = { TF_DATA_DIR: t.dataDir, TF_IN_AUTOMATION: '1', TF_INPUT: '0', CHECKPOINT_DISABLE: '1', ...t.env };
  const tf: TerraformRun = {
    dataDir: t.dataDir,
    varFile: join(t.dataDir, 'rcdebug.tfvars.json'),
    workspace: t.workspace,
    logFile,
    async run(args, extra = {}) {
      return runTool({
        cmd: t.cmd,
        args,
        cwd: t.stackDir,
        env,
        logFile,
        io: t.io,
        timeoutMs: extra.timeoutMs ?? 60 * 60_000,
        onLine: extra.onLine,
        progress: (line) => (line.trim() ? { message: `terraform: ${line.trim().slice(0, 160)}` } : undefined),
        classify: extra.allowFailure ? () => new InfraError('allowed failure') : t.classify,
      }).catch((err: unknown) => {
        if (extra.allowFailure && !t.io.signal.aborted) return { exitCode: 1, tail: [] };
        throw err;
      });
    },
  };
  await tf.run(['init', '-input=false', '-reconfigure', '-no-color', ...t.initArgs]);
  return tf;
}

/** Writes the variables of the cycle (once: teardown reuses them). */
export async function writeVars<T>(tf: TerraformRun, vars: T): Promise<void> {
  await writeFile(tf.varFile, `${JSON.stringify(vars, null, 2)}\n`, { mode: 0o600 });
}

/** The variables written at provision time, if any. */
export async function readVars<T>(tf: TerraformRun): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(tf.varFile, 'utf8')) as T;
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

/** `terraform destroy` with the cycle's variables, then the workspace deleted. */
export async function destroyWorkspace(tf: TerraformRun, varArgs: string[]): Promise<void> {
  await tf.run(['destroy', '-auto-approve', '-input=false', '-no-color', ...varArgs]);
  await tf.run(['workspace', 'select', 'default']);
  await tf.run(['workspace', 'delete', tf.workspace]);
}
