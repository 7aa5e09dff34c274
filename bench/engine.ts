/**
 * Engine benchmark: 100 cycles with instant test activities, started together on one worker
 * and a dev server. Prints the per-step overhead (from the server's own event times: one
 * step's completion to the next step's start), the wall time, its ratio to the same activity
 * functions called in-process, and the worker's peak RSS.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startDevServer } from '../src/app/dev-server';
import type { StepIO } from '../src/domain/contract';
import { scriptedProvider } from '../test/support/scripted-provider';

const CYCLES = Number(process.env.RCDEBUG_BENCH_CYCLES ?? 100);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
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

interface Run {
  sqlite: boolean;
  admission: boolean;
}

export async function benchEngine(): Promise<void> {
  // Side by side: the engine as shipped on the dev server's two stores (what SQLite adds), and
  // the same worker taking every new workflow as it comes (what admission control buys).
  const runs: Record<string, Run> = {
    memory: { sqlite: false, admission: true },
    sqlite: { sqlite: true, admission: true },
    'no-admission': { sqlite: false, admission: false },
  };
  for (const name of (process.env.RCDEBUG_BENCH_RUNS ?? Object.keys(runs).join(',')).split(',')) {
    const run = runs[name];
    if (!run) throw new Error(`RCDEBUG_BENCH_RUNS: unknown run "${name}"; use ${Object.keys(runs).join(', ')}`);
    await benchRun(run);
  }
}

async function benchRun({ sqlite, admission }: Run): Promise<void> {
  // RCDEBUG_BENCH_DIR puts the server's SQLite file elsewhere (e.g. /dev/shm, to see what the
  // disk's fsyncs cost).
  const dir = mkdtempSync(join(process.env.RCDEBUG_BENCH_DIR ?? tmpdir(), 'rcdebug-bench-'));
  const server = await startDevServer({ dbFile: sqlite ? join(dir, 'temporal.db') : undefined, logFile: join(dir, 'server.log'), uiPort: false });
  const taskQueue = 'bench-engine';
  // RCDEBUG_BENCH_WORKER_ARGS adds node flags to the worker, e.g. `--cpu-prof --cpu-prof-dir=DIR`.
  const nodeArgs = (process.env.RCDEBUG_BENCH_WORKER_ARGS ?? '').split(' ').filter(Boolean);
  const worker = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'test/support/worker-process.ts', server.address, taskQueue, '/dev/null'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, RCDEBUG_WORKER_ADMISSION: admission ? 'on' : 'off' },
  });
  let out = '';
  worker.stdout.on('data', (d: Buffer) => (out += d.toString()));
  try {
    await new Promise<void>((resolve, reject) => {
      const t = setInterval(() => out.includes('ready') && (clearInterval(t), resolve()), 50);
      worker.once('exit', (c) => reject(new Error(`bench worker exited ${c}`)));
    });
    const client = new Client({ connection: await Connection.connect({ address: server.address }) });
    const input = { rc: 'v1.0.0-rc1', taskQueue, soak: { durationSeconds: 0, checkIntervalSeconds: 1, scanIntervalSeconds: 0 } };
    const t0 = performance.now();
    const handles = await Promise.all(
      Array.from({ length: CYCLES }, (_, i) => client.workflow.start('rcCycle', { taskQueue, workflowId: `bench-${i}`, args: [input] })),
    );
    await Promise.all(handles.map((h) => h.result()));
    const wallMs = performance.now() - t0;

    // Overhead per step transition, from the server's event times of each child's history:
    // one activity completed → the next one started, split into its phases.
    const gaps: number[] = [];
    const phases = { toWorkflowTask: [] as number[], workflowTask: [] as number[], toActivityStart: [] as number[] };
    for (let i = 0; i < CYCLES; i++) {
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
          gaps.push(ms - completed);
          if (wftStarted !== undefined && wftCompleted !== undefined) {
            phases.toWorkflowTask.push(wftStarted - completed);
            phases.workflowTask.push(wftCompleted - wftStarted);
            phases.toActivityStart.push(ms - wftCompleted);
          }
          completed = wftStarted = wftCompleted = undefined;
        }
      }
    }
    gaps.sort((a, b) => a - b);
    for (const list of Object.values(phases)) list.sort((a, b) => a - b);
    await client.connection.close();
    // One in-process run takes about a millisecond and swings with JIT, GC and the machine's
    // other work: warm up, then take the median of seven samples of twenty runs each.
    const REPEAT = 20;
    await inProcess(CYCLES);
    const samples: number[] = [];
    for (let i = 0; i < 7; i++) {
      let ms = 0;
      for (let j = 0; j < REPEAT; j++) ms += await inProcess(CYCLES);
      samples.push(ms / REPEAT);
    }
    const inProcessMs = percentile(samples.sort((a, b) => a - b), 50);
    worker.kill('SIGTERM');
    await new Promise((r) => worker.once('exit', r));
    const rssKib = Number(/maxrss-kib (\d+)/.exec(out)?.[1] ?? Number.NaN);
    const row = (name: string, value: string, target: string) => console.log(`  ${name.padEnd(44)} ${value.padStart(12)}   target ${target}`);
    console.log(
      `engine: ${CYCLES} cycles started together, instant activities, one worker${admission ? '' : ' WITHOUT admission control'}, dev server ${sqlite ? 'on a SQLite file' : 'in memory'}`,
    );
    row('per-step overhead, median', `${percentile(gaps, 50)} ms`, '≤ 25 ms');
    row('per-step overhead, p95', `${percentile(gaps, 95)} ms`, '≤ 100 ms');
    row('  of which: completion → workflow task (median)', `${percentile(phases.toWorkflowTask, 50)} ms`, '');
    row('  of which: workflow task on the worker (median)', `${percentile(phases.workflowTask, 50)} ms`, '');
    row('  of which: workflow task → next step starts', `${percentile(phases.toActivityStart, 50)} ms`, '');
    row(`wall time for ${CYCLES} cycles`, `${(wallMs / 1000).toFixed(1)} s`, '≤ 60 s');
    row('wall time / same steps called in-process', `${(wallMs / inProcessMs).toFixed(0)}×`, `(in-process: ${inProcessMs.toFixed(2)} ms)`);
    row('worker peak RSS', `${(rssKib / 1024).toFixed(0)} MB`, '≤ 400 MB');
  } finally {
    if (worker.exitCode === null) worker.kill('SIGKILL');
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
