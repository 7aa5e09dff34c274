import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { execa } from 'execa';
import type { StepIO, StepProgress } from '../../src/domain/contract';
import { InfraError, UserError } from '../../src/domain/errors';

/** How to run one external tool (make, packer, terraform, helm, qemu...). */
export interface ToolRun {
  /** Executable; never a shell string. */
  cmd: string;
  args: string[];
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Every line of stdout and stderr is appended here. */
  logFile?: string;
  /** Heartbeats and cancellation of the calling step; omitted outside activities. */
  io?: StepIO;
  /** Turns an output line into progress, or undefined when the line says nothing of it. */
  progress?: (line: string) => StepProgress | undefined;
  /** Called with every line (after progress), e.g. to collect machine-readable output. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Kills the tool after this many milliseconds. */
  timeoutMs?: number;
  /**
   * Decides what a failed run means. Return a UserError when the output shows the user's fault;
   * the default is an InfraError naming the tool, its exit code and the log.
   */
  classify?: (failure: { exitCode: number | undefined; tail: string[] }) => Error | undefined;
  /** Data written to stdin. */
  input?: string;
}

export interface ToolResult {
  exitCode: number;
  /** The last lines of output, for error messages. */
  tail: string[];
}

const TAIL_LINES = 40;
const HEARTBEAT_EVERY_MS = 2_000;

/**
 * Runs an external tool the one way the project runs them: output streamed line by line to a
 * log file, progress heartbeated, the child stopped (SIGTERM, then SIGKILL) when the step is
 * cancelled, and a failure turned into an InfraError or UserError that names the log.
 */
export async function runTool(run: ToolRun): Promise<ToolResult> {
  let log: ReturnType<typeof createWriteStream> | undefined;
  if (run.logFile) {
    mkdirSync(dirname(run.logFile), { recursive: true });
    log = createWriteStream(run.logFile, { flags: 'a' });
    log.write(`$ ${[run.cmd, ...run.args].join(' ')}\n`);
  }
  const tail: string[] = [];
  let lastBeat = 0;
  let last: StepProgress = { message: `${run.cmd} started` };
  const beat = (force = false) => {
    const now = Date.now();
    if (run.io && (force || now - lastBeat >= HEARTBEAT_EVERY_MS)) {
      lastBeat = now;
      run.io.progress(last);
    }
  };
  const onLine = (stream: 'stdout' | 'stderr') => (line: string) => {
    log?.write(`${line}\n`);
    tail.push(line);
    if (tail.length > TAIL_LINES) tail.shift();
    const p = run.progress?.(line);
    if (p) last = p;
    run.onLine?.(line, stream);
    beat();
  };
  // A timer keeps heartbeats flowing while a tool is silent (a long link step, a booting VM).
  const ticker = run.io ? setInterval(() => beat(true), HEARTBEAT_EVERY_MS * 5) : undefined;
  beat(true);
  try {
    const child = execa(run.cmd, run.args, {
      cwd: run.cwd,
      env: run.env,
      extendEnv: true,
      reject: false,
      input: run.input,
      stdin: run.input === undefined ? 'ignore' : 'pipe',
      buffer: false,
      cancelSignal: run.io?.signal,
      forceKillAfterDelay: 5_000,
      timeout: run.timeoutMs,
      stdout: ['pipe', { transform: lineTransform(onLine('stdout')) }],
      stderr: ['pipe', { transform: lineTransform(onLine('stderr')) }],
    });
    const result = await child;
    if (result.isCanceled) {
      throw new InfraError(`${run.cmd} was stopped: the step was cancelled`);
    }
    if (result.timedOut) {
      throw new InfraError(`${run.cmd} timed out after ${run.timeoutMs} ms${logHint(run)}`);
    }
    if (result.failed) {
      const exitCode = result.exitCode;
      const classified = run.classify?.({ exitCode, tail: [...tail] });
      if (classified) throw classified;
      const why = result.code === 'ENOENT' ? `${run.cmd} was not found: run \`rcdebug doctor\`` : `${run.cmd} exited with ${exitCode ?? result.signal}`;
      throw new InfraError(`${why}${logHint(run)}\n${tail.slice(-10).join('\n')}`);
    }
    return { exitCode: result.exitCode ?? 0, tail };
  } catch (err) {
    if (err instanceof UserError || err instanceof InfraError) throw err;
    throw new InfraError(`${run.cmd} could not be run: ${(err as Error).message}`, err);
  } finally {
    if (ticker) clearInterval(ticker);
    await new Promise<void>((done) => (log ? log.end(done) : done()));
  }
}

function logHint(run: ToolRun): string {
  return run.logFile ? ` (log: ${run.logFile})` : '';
}

/** An execa generator transform that hands each line to `fn` and drops it from the stream. */
function lineTransform(fn: (line: string) => void) {
  return function* (line: unknown) {
    fn(String(line));
  } as unknown as (line: unknown) => Generator<never>;
}
