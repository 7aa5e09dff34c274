/**
 * Exit codes of the rcdebug CLI (documented in the README).
 *
 * `watch` exits with the cycle's verdict: 0 clean, 1 new findings, 3 failed, 4 aborted,
 * 5 cancelled. Every command exits 2 on bad input or a refused request and 10 when Temporal
 * or a tool could not be reached.
 */
import { CommanderError } from 'commander';
import { InfraError, UnreachableError, UserError } from '../../domain/errors';

export { VERDICT_EXIT_CODES } from '../../domain/cycle-state';

export const EXIT = {
  ok: 0,
  findings: 1,
  usage: 2,
  unavailable: 10,
  internal: 70,
} as const;

type ExitCode = (typeof EXIT)[keyof typeof EXIT];
type ErrorClass = abstract new (...args: never[]) => Error;

/** Error class → exit code; the first class an error is an instance of wins, so subclasses come first. */
const BY_CLASS: ReadonlyArray<readonly [ErrorClass, ExitCode]> = [
  // Unreachable is a UserError too (the settings may be wrong), but the exit says "try later".
  [UnreachableError, EXIT.unavailable],
  [UserError, EXIT.usage],
  [InfraError, EXIT.unavailable],
];

/** The exit code of an error that ended a command; anything unforeseen is an internal error. */
export function exitCodeOf(err: unknown): ExitCode {
  // Commander has already printed its usage message; help and version end with exit code 0.
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  return BY_CLASS.find(([cls]) => err instanceof cls)?.[1] ?? EXIT.internal;
}
