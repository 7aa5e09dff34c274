/** The rcdebug CLI run as users run it: a process of its own, its output collected. */
import { spawn } from 'node:child_process';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `rcdebug <args>` against the Temporal server at `temporal`. */
export function rcdebugAt(temporal: string, ...args: string[]): Promise<CliRun> {
  return rcdebugStreaming(temporal, args, () => {});
}

/** As `rcdebugAt`, and `onStdout` sees the output so far each time more of it arrives. */
export function rcdebugStreaming(temporal: string, args: string[], onStdout: (sofar: string) => void): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/rcdebug.js', ...args], { env: { ...process.env, TEMPORAL_ADDRESS: temporal } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      onStdout(stdout);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
