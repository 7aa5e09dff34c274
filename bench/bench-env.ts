/**
 * A benchmark's numeric setting from the environment, checked when the benchmark is loaded:
 * a value that is not a positive number (or not a whole one where a count is asked) fails
 * there, naming the variable, instead of after an hour of kernel builds as a NaN.
 */
export function benchNumber(name: string, fallback: number, { integer = false } = {}): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!(value > 0) || (integer && !Number.isInteger(value))) {
    throw new Error(`${name}=${raw}: give a positive ${integer ? 'whole ' : ''}number (default ${fallback})`);
  }
  return value;
}
