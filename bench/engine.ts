/**
 * Engine benchmark: 100 cycles with instant test activities, started together. Runs on the dev
 * server (in memory, on a SQLite file, without admission control) and on the self-hosted server
 * on PostgreSQL with two worker processes on two test hosts over mTLS, and prints them side by
 * side: the per-step overhead (from the server's own event times: one step's completion to the
 * next step's start), the wall time, its ratio to the same activity functions called
 * in-process, and the workers' peak RSS.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startDevServer } from '../src/app/dev-server';
import { startCluster } from '../test/support/cluster';
import { inProcessMs, percentile, stepGaps } from './engine-figures';
import { benchNumber } from './bench-env';

const CYCLES = benchNumber('RCDEBUG_BENCH_CYCLES', 100, { integer: true });
const TASK_QUEUE = 'bench-engine';

interface Run {
  label: string;
  /** Starts the server and the workers; returns a client and how to stop everything. */
  setUp(): Promise<{ client: Client; workers: Worker[]; tearDown(): Promise<void> }>;
}

interface Worker {
  child: ChildProcess;
  out: () => string;
}

interface Figures {
  median: number;
  p95: number;
  toWorkflowTask: number;
  workflowTask: number;
  toActivityStart: number;
  wallMs: number;
  ratio: number;
  rssMb: number;
}

function collect(child: ChildProcess): Worker {
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  return { child, out: () => out };
}

/** One worker process on this machine, against the dev server. */
async function localWorker(address: string, admission: boolean): Promise<Worker> {
  // RCDEBUG_BENCH_WORKER_ARGS adds node flags to the worker, e.g. `--cpu-prof --cpu-prof-dir=DIR`.
  const nodeArgs = (process.env.RCDEBUG_BENCH_WORKER_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'test/support/worker-process.ts', address, TASK_QUEUE, '/dev/null'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, RCDEBUG_WORKER_ADMISSION: admission ? 'on' : 'off' },
  });
  const w = collect(child);
  await new Promise<void>((resolve, reject) => {
    const t = setInterval(() => w.out().includes('ready') && (clearInterval(t), resolve()), 50);
    child.once('exit', (c) => reject(new Error(`bench worker exited ${c}`)));
  });
  return w;
}

function devServerRun(label: string, sqlite: boolean, admission: boolean): Run {
  return {
    label,
    async setUp() {
      // RCDEBUG_BENCH_DIR puts the server's SQLite file elsewhere (e.g. /dev/shm).
      const dir = mkdtempSync(join(process.env.RCDEBUG_BENCH_DIR ?? tmpdir(), 'rcdebug-bench-'));
      const server = await startDevServer({ dbFile: sqlite ? join(dir, 'temporal.db') : undefined, logFile: join(dir, 'server.log'), uiPort: false });
      const worker = await localWorker(server.address, admission);
      const client = new Client({ connection: await Connection.connect({ address: server.address }) });
      return {
        client,
        workers: [worker],
        async tearDown() {
          await client.connection.close();
          if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
          await server.stop();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  };
}

const postgresRun: Run = {
  label: 'PostgreSQL, 2 hosts',
  async setUp() {
    const cluster = await startCluster(2);
    const workers = [];
    for (const host of cluster.hosts.workers) workers.push(collect(await cluster.spawnWorker(host, TASK_QUEUE, '/dev/null')));
    const client = await cluster.client();
    return {
      client,
      workers,
      async tearDown() {
        await client.connection.close();
        await cluster.stop();
      },
    };
  },
};

const RUNS: Record<string, Run> = {
  memory: devServerRun('dev, memory', false, true),
  sqlite: devServerRun('dev, SQLite', true, true),
  'no-admission': devServerRun('dev, no admission', false, false),
  postgres: postgresRun,
};

async function measure(run: Run): Promise<Figures> {
  const { client, workers, tearDown } = await run.setUp();
  try {
    const input = { rc: 'v1.0.0-rc1', taskQueue: TASK_QUEUE, soak: { durationSeconds: 0, checkIntervalSeconds: 1, scanIntervalSeconds: 0 } };
    const t0 = performance.now();
    const handles = await Promise.all(
      Array.from({ length: CYCLES }, (_, i) => client.workflow.start('rcCycle', { taskQueue: TASK_QUEUE, workflowId: `bench-${i}`, args: [input] })),
    );
    await Promise.all(handles.map((h) => h.result()));
    const wallMs = performance.now() - t0;
    const g = await stepGaps(client, CYCLES);
    let rssMb = 0;
    for (const w of workers) {
      w.child.kill('SIGTERM');
      await new Promise((r) => w.child.once('exit', r));
      rssMb = Math.max(rssMb, Number(/maxrss-kib (\d+)/.exec(w.out())?.[1] ?? Number.NaN) / 1024);
    }
    return {
      median: percentile(g.gaps, 50),
      p95: percentile(g.gaps, 95),
      toWorkflowTask: percentile(g.toWorkflowTask, 50),
      workflowTask: percentile(g.workflowTask, 50),
      toActivityStart: percentile(g.toActivityStart, 50),
      wallMs,
      ratio: 0,
      rssMb,
    };
  } finally {
    await tearDown();
  }
}

export async function benchEngine(): Promise<void> {
  const names = (process.env.RCDEBUG_BENCH_RUNS ?? Object.keys(RUNS).join(',')).split(',');
  for (const name of names) if (!RUNS[name]) throw new Error(`RCDEBUG_BENCH_RUNS: unknown run "${name}"; use ${Object.keys(RUNS).join(', ')}`);
  const results: Array<[Run, Figures]> = [];
  for (const name of names) results.push([RUNS[name] as Run, await measure(RUNS[name] as Run)]);
  const base = await inProcessMs(CYCLES);
  for (const [, f] of results) f.ratio = f.wallMs / base;
  console.log(`engine: ${CYCLES} cycles started together, instant activities (in-process: ${base.toFixed(2)} ms); PostgreSQL: self-hosted server, 2 workers on 2 hosts over mTLS`);
  const row = (name: string, target: string, cell: (f: Figures) => string) =>
    console.log(`  ${name.padEnd(40)}${results.map(([, f]) => cell(f).padStart(22)).join('')}   ${target}`);
  console.log(`  ${''.padEnd(40)}${results.map(([r]) => r.label.padStart(22)).join('')}   target`);
  row('per-step overhead, median', '≤ 25 ms', (f) => `${f.median} ms`);
  row('per-step overhead, p95', '≤ 100 ms', (f) => `${f.p95} ms`);
  row('  completion → workflow task (median)', '', (f) => `${f.toWorkflowTask} ms`);
  row('  workflow task on the worker (median)', '', (f) => `${f.workflowTask} ms`);
  row('  workflow task → next step starts', '', (f) => `${f.toActivityStart} ms`);
  row(`wall time for ${CYCLES} cycles`, '≤ 60 s', (f) => `${(f.wallMs / 1000).toFixed(1)} s`);
  row('wall time / steps called in-process', '', (f) => `${f.ratio.toFixed(0)}×`);
  row('worker peak RSS (largest worker)', '≤ 400 MB', (f) => `${f.rssMb.toFixed(0)} MB`);
}
