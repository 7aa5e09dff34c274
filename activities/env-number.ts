import { UserError } from '../src/domain/errors';

/**
 * A number a worker takes from its environment (a wait in seconds, a bound, a count), or
 * `fallback` when the variable is unset or empty. Anything that is not a number above zero
 * (or, with `whole`, not a whole one) is a UserError naming the variable. The clouds read their
 * options when the worker creates them, so a typo stops the worker's start, not a cycle hours in.
 */
export function envNumber(name: string, fallback: number, opts: { whole?: boolean } = {}, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (Number.isFinite(n) && n > 0 && (!opts.whole || Number.isInteger(n))) return n;
  const kind = opts.whole ? 'a whole number' : 'a number';
  throw new UserError(`${name}=${JSON.stringify(raw)} is not ${kind} above 0`, name, `set ${name} to ${kind} above 0, or unset it for the default (${fallback})`);
}
