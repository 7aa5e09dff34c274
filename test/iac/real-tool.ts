/**
 * The real helm, packer and tofu binaries for the IaC tests, found through the project's tool
 * table ($RCDEBUG_<TOOL>, PATH, the rcdebug cache). A missing one fails the test: these checks
 * are the point of the suite, so skipping them would pass a machine that checks nothing.
 */
import { spawnSync } from 'node:child_process';
import { resolveTool } from '../../scripts/toolchain.mjs';

/** Path of the tool called `name` in the tool table, or an error saying how to install it. */
export function realTool(name: 'actionlint' | 'helm' | 'packer' | 'packer-plugin-amazon' | 'packer-plugin-azure' | 'packer-plugin-oracle' | 'tofu' | 'moto_server' | 'azurite-blob'): string {
  return resolveTool(name).path;
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, for assertions on messages wherever the tool prints them. */
  output: string;
}

/** Runs a tool to completion (no shell); never throws on a non-zero exit. */
export function runTool(cmd: string, args: string[], opts: { cwd?: string; env?: Record<string, string>; input?: string } = {}): RunResult {
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd,
    encoding: 'utf8',
    input: opts.input,
    timeout: 120_000,
    // No update checks or telemetry calls: the machines running tests have no internet.
    env: { ...process.env, CHECKPOINT_DISABLE: '1', PACKER_NO_COLOR: '1', TF_IN_AUTOMATION: '1', ...opts.env },
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, output: `${r.stdout}\n${r.stderr}` };
}
