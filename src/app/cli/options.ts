/** Checks of numeric command-line options, done before a command starts anything. */
import type { Command } from 'commander';
import { UserError } from '../../domain/errors';

/** A whole number from `min` to `max`; otherwise a UserError naming the flag. */
export function intOption(value: string, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (!/^\s*-?\d+\s*$/.test(value) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
    throw new UserError(`${flag} must be a whole number ${range}, got "${value}"`, flag);
  }
  return n;
}

/** A TCP port. */
export function portOption(value: string, flag: string): number {
  return intOption(value, flag, 1, 65_535);
}

/** The ports of an embedded dev server (`dev`, `demo`): gRPC and Web UI, the Temporal defaults. */
export function serverPortOptions(command: Command): Command {
  return command.option('--port <port>', 'Temporal gRPC port', '7233').option('--ui-port <port>', 'Temporal Web UI port', '8233');
}
