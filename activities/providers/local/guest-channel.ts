import { randomBytes } from 'node:crypto';
import { createConnection } from 'node:net';
import type { StepIO } from '../../../src/domain/contract';
import { InfraError } from '../../../src/domain/errors';
import { boundForSocket } from './guest-bound';

/** The guest agent answered `<id> err <text>`: the command ran and failed inside the guest. */
export class GuestCommandError extends Error {
  override readonly name = 'GuestCommandError';
  constructor(
    readonly command: string,
    /** The agent's text after `err`. */
    readonly reply: string,
  ) {
    super(`guest command "${command}" failed: ${reply}`);
  }
}

export interface GuestCommandOptions {
  /** The bound on the answer, stretched while the guest's qemu is starved of CPU (guest-bound.ts). */
  timeoutMs: number;
  /**
   * The calling step: its cancellation stops the wait (and closes the connection), and its
   * heartbeat keeps beating while a long command (a kmemleak scan, an insmod) runs.
   */
  io?: Pick<StepIO, 'signal' | 'progress'> | undefined;
}

const HEARTBEAT_EVERY_MS = 10_000;
/** How often a bound past its seconds is looked at again. */
const RECHECK_MS = 1000;

/**
 * Sends one command to the guest agent over the VM's control socket (ttyS1) and returns the
 * text of its `ok` reply. Lines for other ids (late answers to abandoned commands) are skipped.
 * Throws GuestCommandError for an `err` reply and InfraError when the socket cannot be reached
 * or no answer comes in time.
 */
export function guestCommand(socket: string, command: string, opts: GuestCommandOptions): Promise<string> {
  if (/[\r\n]/.test(command)) throw new InfraError(`guest command "${command}" spans lines`);
  const id = randomBytes(4).toString('hex');
  const bound = boundForSocket(opts.timeoutMs / 1000, socket);
  return new Promise<string>((resolve, reject) => {
    let buffer = '';
    let settled = false;
    const conn = createConnection(socket);
    const finish = (err: Error | undefined, value?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(beat);
      signal?.removeEventListener('abort', onAbort);
      conn.destroy();
      if (err) reject(err);
      else resolve(value ?? '');
    };
    const check = () => {
      if (bound.expired()) finish(new InfraError(`the guest agent did not answer "${command}" within ${bound.describe()} (socket ${socket})`));
      else timer = setTimeout(check, RECHECK_MS);
    };
    let timer = setTimeout(check, opts.timeoutMs);
    const started = Date.now();
    const beat = setInterval(
      () => opts.io?.progress({ message: `waiting for the guest: ${command} (${Math.round((Date.now() - started) / 1000)} s)` }),
      HEARTBEAT_EVERY_MS,
    );
    const signal = opts.io?.signal;
    const onAbort = () => finish(new InfraError(`guest command "${command}" was abandoned: the step was cancelled`));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    conn.setEncoding('utf8');
    conn.on('connect', () => {
      // The leading newline ends whatever half line an interrupted earlier client left behind.
      conn.write(`\n${id} ${command}\n`);
    });
    conn.on('data', (chunk: string) => {
      buffer += chunk;
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).replace(/\r$/, '');
        buffer = buffer.slice(nl + 1);
        const m = /^(\S+) (ok|err)(?: (.*))?$/.exec(line);
        if (!m || m[1] !== id) continue;
        if (m[2] === 'ok') finish(undefined, m[3] ?? '');
        else finish(new GuestCommandError(command, m[3] ?? ''));
      }
    });
    conn.on('error', (err) => finish(new InfraError(`cannot reach the guest agent at ${socket}: ${err.message}`, err)));
    conn.on('close', () => finish(new InfraError(`the guest agent at ${socket} closed the channel before answering "${command}"`)));
  });
}
