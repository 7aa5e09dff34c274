import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { afterEach, describe, expect, it } from 'vitest';
import { startDevServer, type DevServer } from '../../src/app/dev-server';
import { createWorkers } from '../../src/app/worker/create-workers';
import { address, eventually, startCycle, testClient, uniqueQueue } from '../support/engine';
import { stateQuery } from '../../src/domain/cycle-state';
import { UAF_CONSOLE, UAF_TITLE, workloadNoise } from '../support/live-consoles';
import { scriptedProvider, stepsCalled, type Call } from '../support/scripted-provider';

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'rcdebug-resilience-'));
  dirs.push(d);
  return d;
}

function readCalls(file: string): Call[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Call);
}

async function spawnWorker(taskQueue: string, recordFile: string, script: object): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/worker-process.ts', address(), taskQueue, recordFile, JSON.stringify(script)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`worker process exited with ${code} before it was ready`)));
  });
  return child;
}

describe('a cycle survives its infrastructure', () => {
  it('a worker killed with SIGKILL mid-step: a new worker finishes the cycle and no finished step runs again', async () => {
    const client = await testClient();
    const taskQueue = uniqueQueue('sigkill');
    const record = join(tempDir(), 'calls.jsonl');
    const script = { script: { 'image-bake': { delayMs: 5_000 } } };
    const first = await spawnWorker(taskQueue, record, script);
    const h = await startCycle(client, {
      rc: 'v2.0.0-rc1',
      taskQueue,
      soak: { durationSeconds: 2, checkIntervalSeconds: 1, scanIntervalSeconds: 0 },
      // A short heartbeat timeout lets the server notice the dead worker's step quickly.
      profiles: { toolRun: { heartbeatSeconds: 2, initialIntervalSeconds: 1 } },
    });
    await eventually(async () => readCalls(record).some((c) => c.step === 'image-bake'), 60_000, 'image-bake to start');
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    // The second worker does not sleep in image-bake, so the retried step finishes at once.
    await spawnWorker(taskQueue, record, {});
    const result = await h.result();
    expect(result.verdict).toBe('clean');
    const calls = readCalls(record);
    const steps = stepsCalled(calls);
    expect(steps.filter((s) => s === 'kernel-build')).toHaveLength(1);
    expect(calls.filter((c) => c.step === 'image-bake').map((c) => c.attempt)).toEqual([1, 2]);
    for (const s of ['version-publish', 'cluster-provision', 'deploy', 'log-harvest', 'teardown'] as const) {
      expect(steps.filter((x) => x === s), s).toHaveLength(1);
    }
  });

  it('a worker killed mid-soak: the new worker resumes the console parse where the history says, counting nothing twice', async () => {
    const client = await testClient();
    const taskQueue = uniqueQueue('live-restart');
    const record = join(tempDir(), 'calls.jsonl');
    // The same console on every worker: the use-after-free at checks 2 and 5, more output between.
    const consoles = { 'node-a': { 1: workloadNoise(1, 20), 2: UAF_CONSOLE, 3: workloadNoise(500, 10), 5: UAF_CONSOLE } };
    const first = await spawnWorker(taskQueue, record, { consoles });
    const h = await startCycle(client, {
      rc: 'v2.0.0-rc1',
      taskQueue,
      // Long enough for checks after the restart (the new worker takes over after a few seconds).
      soak: { durationSeconds: 30, checkIntervalSeconds: 1, scanIntervalSeconds: 0 },
      profiles: { soak: { heartbeatSeconds: 2, initialIntervalSeconds: 1 } },
    });
    await eventually(async () => readCalls(record).some((c) => c.step === 'soakCheck' && c.tick === 3), 60_000, 'the third soak check');
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    await spawnWorker(taskQueue, record, { consoles });
    await h.result();
    const state = await client.workflow.getHandle(`${taskQueue}-cycle.local-kasan`).query(stateQuery);
    // A worker that parsed from the start again would count the first report a second time.
    expect(state.findings?.map((f) => [f.title, f.count, f.firstSeen.check])).toEqual([[UAF_TITLE, 2, 2]]);
    expect(readCalls(record).filter((c) => c.step === 'soakCheck').map((c) => c.tick)).toEqual(expect.arrayContaining([1, 2, 3, 4, 5, 6]));
  });

  it('the dev server killed (SIGKILL) and restarted on the same SQLite file mid-cycle: the cycle completes', async () => {
    const dir = tempDir();
    const db = join(dir, 'temporal.db');
    let server: DevServer = await startDevServer({ dbFile: db, logFile: join(dir, 'server.log'), uiPort: false });
    const port = server.port;
    const taskQueue = uniqueQueue('restart');
    const local = scriptedProvider();
    const nativeConnection = await NativeConnection.connect({ address: server.address });
    const set = await createWorkers({ connection: nativeConnection, namespace: 'default', taskQueue, clouds: ['local'], providers: { local } });
    const running = set.run();
    try {
      let client = new Client({ connection: await Connection.connect({ address: server.address }) });
      const h = await startCycle(client, { rc: 'v2.0.0-rc2', taskQueue, soak: { durationSeconds: 12, checkIntervalSeconds: 1, scanIntervalSeconds: 0 } });
      await eventually(async () => local.calls.filter((c) => c.step === 'soakCheck').length >= 2, 60_000, 'the soak to run');
      await client.connection.close();
      // The store is a write-ahead log synced at checkpoints: what it committed must survive
      // the server dying without a word.
      expect(existsSync(`${db}-wal`)).toBe(true);
      const exited = new Promise((r) => server.process.once('exit', r));
      server.process.kill('SIGKILL');
      await exited;
      server = await startDevServer({ dbFile: db, logFile: join(dir, 'server.log'), uiPort: false, port });
      client = new Client({ connection: await Connection.connect({ address: server.address }) });
      const result = await client.workflow.getHandle(h.workflowId).result();
      expect(result.verdict).toBe('clean');
      expect(stepsCalled(local.calls).filter((s) => s === 'deploy')).toHaveLength(1);
      expect(stepsCalled(local.calls).at(-1)).toBe('teardown');
      await client.connection.close();
    } finally {
      set.shutdown();
      await running.catch(() => undefined);
      await nativeConnection.close();
      await server.stop();
    }
  });
});
