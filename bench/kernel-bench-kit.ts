/** What the kernel benchmarks share: a step IO that reports nowhere, the rounds, a median, a step context, child CPU time. */
import { readFileSync } from 'node:fs';
import type { StepContext, StepIO } from '../src/domain/contract';
import { DEFAULT_MODULE } from '../src/domain/input';
import { benchNumber } from './bench-env';

export const quietIo: StepIO = { progress: () => undefined, signal: new AbortController().signal, attempt: 1 };

/** Rounds of the guest work and its size: RCDEBUG_BENCH_ROUNDS (default 3), RCDEBUG_BENCH_EXERCISE (default 60). */
export const ROUNDS = benchNumber('RCDEBUG_BENCH_ROUNDS', 3, { integer: true });
export const EXERCISE = `exercise ${benchNumber('RCDEBUG_BENCH_EXERCISE', 60, { integer: true })}`;

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** A kasan step context of a benchmark: no soak; `manifest` only where a step reads it. */
export function benchContext(cycleId: string, manifest = ''): StepContext {
  return {
    cycleId, rc: 'v0.0.0-bench', cloud: 'local', flavor: 'kasan', module: DEFAULT_MODULE, manifest,
    soak: { durationSeconds: 0, checkIntervalSeconds: 15, scanIntervalSeconds: 0 },
  };
}

/** CPU seconds of this process's waited-for children so far (cutime + cstime of /proc/self/stat). */
export function childCpuSeconds(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
  // After "pid (comm) ": state is field 3, cutime 16, cstime 17 (1-based) → indexes 13, 14 here.
  return (Number(fields[13]) + Number(fields[14])) / 100;
}
