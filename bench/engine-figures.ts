/** The engine bench's figures, read from the server's own event times of each cycle's history. */
import type { Client } from '@temporalio/client';
import type { StepIO } from '../src/domain/contract';
import { scriptedProvider } from '../test/support/scripted-provider';

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

export interface StepGaps {
  /** One activity completed → the next one started, sorted. */
  gaps: number[];
  toWorkflowTask: number[];
  workflowTask: number[];
  toActivityStart: number[];
}

/** Overhead per step transition of cycles `bench-0..n-1`, split into its phases. */
export async function stepGaps(client: Client, cycles: number): Promise<StepGaps> {
  const out: StepGaps = { gaps: [], toWorkflowTask: [], workflowTask: [], toActivityStart: [] };
  for (let i = 0; i < cycles; i++) {
    const history = await client.workflow.getHandle(`bench-${i}.local-kasan`).fetchHistory();
    let completed: number | undefined;
    let wftStarted: number | undefined;
    let wftCompleted: number | undefined;
    for (const e of history.events ?? []) {
      const ms = Number(e.eventTime?.seconds ?? 0) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6);
      if (e.activityTaskCompletedEventAttributes) completed = ms;
      if (completed !== undefined && e.workflowTaskStartedEventAttributes && wftStarted === undefined) wftStarted = ms;
      if (wftStarted !== undefined && e.workflowTaskCompletedEventAttributes && wftCompleted === undefined) wftCompleted = ms;
      if (e.activityTaskStartedEventAttributes && completed !== undefined) {
        out.gaps.push(ms - completed);
        if (wftStarted !== undefined && wftCompleted !== undefined) {
          out.toWorkflowTask.push(wftStarted - completed);
          out.workflowTask.push(wftCompleted - wftStarted);
          out.toActivityStart.push(ms - wftCompleted);
        }
        completed = wftStarted = wftCompleted = undefined;
      }
    }
  }
  for (const list of Object.values(out) as number[][]) list.sort((a, b) => a - b);
  return out;
}

/** The same seven steps, called directly: what the engine's overhead is measured against. */
async function inProcess(cycles: number): Promise<number> {
  const p = scriptedProvider();
  const io: StepIO = { progress() {}, signal: new AbortController().signal, attempt: 1 };
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: cycles }, async (_, i) => {
      const ctx = { cycleId: `c${i}`, rc: 'v1.0', cloud: 'local' as const, flavor: 'kasan' as const, module: { name: 'kbug', source: 'x', version: '1' }, manifest: 'm', soak: { durationSeconds: 0, checkIntervalSeconds: 1, scanIntervalSeconds: 0 } };
      const kernel = await p.kernelBuild({ ctx }, io);
      const image = await p.imageBake({ ctx, kernel }, io);
      await p.versionPublish({ ctx, kernel, image }, io);
      const cluster = await p.clusterProvision({ ctx, kernel, image }, io);
      await p.deploy({ ctx, cluster }, io);
      await p.logHarvest({ ctx, cluster }, io);
      await p.teardown({ ctx, cluster }, io);
    }),
  );
  return performance.now() - t0;
}

/**
 * Milliseconds the cycles' steps take called in-process. One run takes about a millisecond and
 * swings with JIT, GC and the machine's other work: warm up, then the median of seven samples
 * of twenty runs each.
 */
export async function inProcessMs(cycles: number): Promise<number> {
  const REPEAT = 20;
  await inProcess(cycles);
  const samples: number[] = [];
  for (let i = 0; i < 7; i++) {
    let ms = 0;
    for (let j = 0; j < REPEAT; j++) ms += await inProcess(cycles);
    samples.push(ms / REPEAT);
  }
  return percentile(samples.sort((a, b) => a - b), 50);
}
