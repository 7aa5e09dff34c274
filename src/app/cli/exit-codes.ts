/**
 * Exit codes of the rcdebug CLI (documented in the README).
 *
 * `watch` exits with the cycle's verdict: 0 clean, 1 new findings, 3 failed, 4 aborted,
 * 5 cancelled. Every command exits 2 on bad input or a refused request and 10 when Temporal
 * or a tool could not be reached.
 */
export { VERDICT_EXIT_CODES } from '../../domain/cycle-state';

export const EXIT = {
  ok: 0,
  findings: 1,
  usage: 2,
  unavailable: 10,
  internal: 70,
} as const;
