/**
 * The production engine: the self-hosted Temporal server on PostgreSQL on one test host,
 * workers on two others, mutual TLS everywhere, and the faults a cluster meets.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startCycle, uniqueQueue } from '../support/engine';
import { createCa } from '../support/certs';
import { startCluster, readCalls, type Cluster } from '../support/cluster';
import { stepsCalled } from '../support/scripted-provider';

let cluster: Cluster;
let client: Client;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rcdebug-faults-'));
  cluster = await startCluster(2);
  client = await cluster.client();
}, 240_000);

afterAll(async () => {
  await client?.connection.close();
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const ONCE = ['kernel-build', 'image-bake', 'version-publish', 'cluster-provision', 'deploy', 'log-harvest', 'teardown'] as const;
const soak = (s: number) => ({ durationSeconds: s, checkIntervalSeconds: 1, scanIntervalSeconds: 0 });
const fastHeartbeat = { toolRun: { heartbeatSeconds: 2, initialIntervalSeconds: 1 }, soak: { heartbeatSeconds: 2, initialIntervalSeconds: 1 } };

/** The rcdebug CLI as a process on the operator's machine, with `env` for its connection. */
function cli(env: Record<string, string>, ...args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/rcdebug.js', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

/** Which worker process reported each image-bake start and completion, from the history. */
async function imageBakeEvents(workflowId: string) {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const scheduled = new Map<string, string>();
  const out: Array<{ event: string; identity?: string; attempt?: number }> = [];
  for (const e of history.events ?? []) {
    const s = e.activityTaskScheduledEventAttributes;
    if (s) scheduled.set(String(e.eventId), s.activityType?.name ?? '');
    const st = e.activityTaskStartedEventAttributes;
    if (st && scheduled.get(String(st.scheduledEventId)) === 'imageBake') out.push({ event: 'started', identity: st.identity ?? '', attempt: st.attempt ?? 0 });
    const c = e.activityTaskCompletedEventAttributes;
    if (c && scheduled.get(String(c.scheduledEventId)) === 'imageBake') out.push({ event: 'completed', identity: c.identity ?? '' });
  }
  return out;
}

describe('the self-hosted server on PostgreSQL, workers on other hosts over mTLS', () => {
  it('runs a cycle from a worker on another host', async () => {
    const taskQueue = uniqueQueue('sh-basic');
    const record = join(dir, `${taskQueue}.jsonl`);
    const w = await cluster.spawnWorker(cluster.hosts.workers[0]!, taskQueue, record);
    const h = await startCycle(client, { rc: 'v5.0.0-rc1', taskQueue, soak: soak(2) });
    expect((await h.result()).verdict).toBe('clean');
    expect(stepsCalled(readCalls(record))).toEqual([...ONCE]);
    w.kill('SIGKILL');
  });

  it('the server SIGKILLed mid-soak and started again: the cycle completes, no finished step runs again', async () => {
    const taskQueue = uniqueQueue('sh-kill');
    const record = join(dir, `${taskQueue}.jsonl`);
    const w = await cluster.spawnWorker(cluster.hosts.workers[0]!, taskQueue, record);
    const h = await startCycle(client, { rc: 'v5.0.0-rc2', taskQueue, soak: soak(10), profiles: fastHeartbeat });
    await eventually(async () => readCalls(record).filter((c) => c.step === 'soakCheck').length >= 2, 90_000, 'the soak to run');
    await cluster.server.kill('SIGKILL');
    await cluster.server.start();
    const fresh = await cluster.client();
    expect((await fresh.workflow.getHandle(h.workflowId).result()).verdict).toBe('clean');
    await fresh.connection.close();
    const steps = stepsCalled(readCalls(record));
    for (const s of ONCE) expect(steps.filter((x) => x === s), s).toHaveLength(1);
    w.kill('SIGKILL');
  });

  it('PostgreSQL restarted mid-cycle: the cycle completes', async () => {
    const taskQueue = uniqueQueue('sh-pg');
    const record = join(dir, `${taskQueue}.jsonl`);
    const w = await cluster.spawnWorker(cluster.hosts.workers[0]!, taskQueue, record);
    const h = await startCycle(client, { rc: 'v5.0.0-rc3', taskQueue, soak: soak(10), profiles: fastHeartbeat });
    await eventually(async () => readCalls(record).filter((c) => c.step === 'soakCheck').length >= 2, 90_000, 'the soak to run');
    await cluster.server.postgres.stop();
    await new Promise((r) => setTimeout(r, 3_000));
    await cluster.server.postgres.start();
    expect((await h.result()).verdict).toBe('clean');
    expect(stepsCalled(readCalls(record)).at(-1)).toBe('teardown');
    w.kill('SIGKILL');
  });

  it('one of two workers killed mid-step: the other finishes the step after its heartbeat timeout', async () => {
    const taskQueue = uniqueQueue('sh-two');
    const [a, b] = [join(dir, `${taskQueue}-a.jsonl`), join(dir, `${taskQueue}-b.jsonl`)];
    const script = { script: { 'image-bake': { delayMs: 6_000 } } };
    const wa = await cluster.spawnWorker(cluster.hosts.workers[0]!, taskQueue, a, script);
    const wb = await cluster.spawnWorker(cluster.hosts.workers[1]!, taskQueue, b, script);
    const h = await startCycle(client, { rc: 'v5.0.0-rc4', taskQueue, soak: soak(1), profiles: fastHeartbeat });
    const first = await eventually(async () => (readCalls(a).some((c) => c.step === 'image-bake') ? 'a' : readCalls(b).some((c) => c.step === 'image-bake') ? 'b' : undefined), 90_000, 'image-bake to start');
    const [dead, alive, aliveRecord] = first === 'a' ? [wa, wb, b] : [wb, wa, a];
    dead.kill('SIGKILL');
    expect((await h.result()).verdict).toBe('clean');
    expect(readCalls(aliveRecord).filter((c) => c.step === 'image-bake').map((c) => c.attempt)).toEqual([2]);
    const events = await imageBakeEvents(`${h.workflowId}.local-kasan`);
    expect(events.filter((e) => e.event === 'completed').map((e) => e.identity)).toEqual([expect.stringContaining(`${alive.pid}@`)]);
    alive.kill('SIGKILL');
  });

  it('a worker cut off (its link down) longer than a heartbeat: the step moves; its late result is discarded', async () => {
    const taskQueue = uniqueQueue('sh-cut');
    const [a, b] = [join(dir, `${taskQueue}-a.jsonl`), join(dir, `${taskQueue}-b.jsonl`)];
    const script = { script: { 'image-bake': { delayMs: 5_000 } } };
    const [ha, hb] = [cluster.hosts.workers[0]!, cluster.hosts.workers[1]!];
    const wa = await cluster.spawnWorker(ha, taskQueue, a, script);
    const wb = await cluster.spawnWorker(hb, taskQueue, b, script);
    try {
      // Retries until the server has dropped the cut worker's open polls (dynamicconfig.yaml's
      // keep-alive): a retry matched to one of them is lost, and times out again.
      const profiles = { ...fastHeartbeat, toolRun: { ...fastHeartbeat.toolRun, maximumAttempts: 10 } };
      const h = await startCycle(client, { rc: 'v5.0.0-rc5', taskQueue, soak: soak(1), profiles });
      const first = await eventually(async () => (readCalls(a).some((c) => c.step === 'image-bake') ? 'a' : readCalls(b).some((c) => c.step === 'image-bake') ? 'b' : undefined), 90_000, 'image-bake to start');
      const [cutHost, cutWorker, otherRecord, other] = first === 'a' ? [ha, wa, b, wb] : [hb, wb, a, wa];
      cluster.hosts.cut(cutHost, true);
      // The other worker takes the retry once the heartbeat timeout (2 s) has passed...
      await eventually(async () => readCalls(otherRecord).some((c) => c.step === 'image-bake'), 90_000, 'the step to move');
      // ...and the cut worker comes back while that attempt still runs, with its own result late.
      cluster.hosts.cut(cutHost, false);
      expect((await h.result()).verdict).toBe('clean');
      const events = await imageBakeEvents(`${h.workflowId}.local-kasan`);
      const done = events.filter((e) => e.event === 'completed');
      expect(done).toHaveLength(1);
      expect(done[0]?.identity).toContain(`${other.pid}@`);
      expect(done[0]?.identity).not.toContain(`${cutWorker.pid}@`);
    } finally {
      cluster.hosts.cut(ha, false);
      cluster.hosts.cut(hb, false);
      wa.kill('SIGKILL');
      wb.kill('SIGKILL');
    }
  });

  it('a schedule is created, triggered, paused and deleted on this server', async () => {
    const taskQueue = uniqueQueue('sh-sched');
    const record = join(dir, `${taskQueue}.jsonl`);
    const w = await cluster.spawnWorker(cluster.hosts.workers[1]!, taskQueue, record);
    const scheduleId = `${taskQueue}-nightly`;
    const input = { rc: 'v5.0.0-rc6', taskQueue, soak: soak(1) };
    const handle = await client.schedule.create({
      scheduleId,
      spec: { cronExpressions: ['0 2 * * *'] },
      action: { type: 'startWorkflow', workflowType: 'rcCycle', taskQueue, args: [input], workflowId: `sched-${scheduleId}` },
      state: { paused: false },
    });
    await handle.trigger();
    const started = await eventually(async () => (await handle.describe()).info.recentActions[0]?.action.workflow.workflowId, 60_000, 'the triggered cycle');
    expect((await client.workflow.getHandle(started).result()).verdict).toBe('clean');
    await handle.pause('paused by the test');
    expect((await handle.describe()).state.paused).toBe(true);
    await handle.delete();
    await expect(handle.describe()).rejects.toThrow(/not found/i);
    w.kill('SIGKILL');
  });

  it('a builder host serves only the build steps, one kernel build at a time; the other steps run elsewhere', async () => {
    const taskQueue = uniqueQueue('sh-builder');
    const [builderRecord, restRecord] = [join(dir, `${taskQueue}-builder.jsonl`), join(dir, `${taskQueue}-rest.jsonl`)];
    const script = { script: { 'kernel-build': { delayMs: 1_500 } } };
    const builder = await cluster.spawnWorker(cluster.hosts.workers[0]!, taskQueue, builderRecord, script, {
      env: { RCDEBUG_WORKER_STEPS: 'kernel-build,image-bake', RCDEBUG_WORKER_STEP_CONCURRENCY: 'kernel-build=1' },
    });
    const rest = await cluster.spawnWorker(cluster.hosts.workers[1]!, taskQueue, restRecord, script, { env: { RCDEBUG_WORKER_STEPS: 'rest' } });
    try {
      const handles = await Promise.all(['rc7', 'rc8'].map((rc) => startCycle(client, { rc: `v5.0.0-${rc}`, taskQueue, soak: soak(1) }, `${taskQueue}-${rc}`)));
      for (const h of handles) expect((await h.result()).verdict).toBe('clean');
      const built = stepsCalled(readCalls(builderRecord));
      expect(built.filter((s) => s === 'kernel-build')).toHaveLength(2);
      expect(built.filter((s) => s === 'image-bake')).toHaveLength(2);
      expect(built.filter((s) => s !== 'kernel-build' && s !== 'image-bake')).toEqual([]);
      const elsewhere = stepsCalled(readCalls(restRecord));
      expect(elsewhere.filter((s) => s === 'kernel-build' || s === 'image-bake')).toEqual([]);
      expect(elsewhere.filter((s) => s === 'teardown')).toHaveLength(2);
      // One kernel build at a time: the second started after the first's 1.5 s.
      const starts = readCalls(builderRecord).filter((c) => c.step === 'kernel-build').map((c) => c.at).sort((a, b) => a - b);
      expect((starts[1] as number) - (starts[0] as number)).toBeGreaterThanOrEqual(1_400);
    } finally {
      builder.kill('SIGKILL');
      rest.kill('SIGKILL');
    }
  });

  it('a worker presenting a certificate from another CA is refused, and says which setting', async () => {
    const rogue = createCa(join(dir, 'rogue'), 'rogue-ca').issue('rogue-worker');
    await expect(cluster.spawnWorker(cluster.hosts.workers[0]!, uniqueQueue('sh-rogue'), join(dir, 'rogue.jsonl'), {}, { cert: rogue })).rejects.toThrow(
      /exited with [1-9][\s\S]*TEMPORAL_TLS_CLIENT_CERT_PATH/,
    );
  });

  it('the CLI names the wrong setting and exits with the documented code', async () => {
    const good = cluster.workerEnv(cluster.operator);
    const rogue = createCa(join(dir, 'rogue-cli'), 'rogue-ca').issue('rogue-operator');
    const cases = [
      { env: { ...good, TEMPORAL_NAMESPACE: 'no-such-namespace' }, says: /TEMPORAL_NAMESPACE|no namespace "no-such-namespace"/, code: 2 },
      { env: cluster.workerEnv(rogue), says: /refused the TLS connection/, code: 2 },
      { env: { ...good, TEMPORAL_TLS_SERVER_NAME: 'someone-else' }, says: /refused the TLS connection/, code: 2 },
      // Nothing listens on the server host's port 1.
      { env: { ...good, TEMPORAL_ADDRESS: `${cluster.hosts.server.ip}:1` }, says: /cannot reach Temporal at/, code: 10 },
    ];
    for (const c of cases) {
      const r = await cli(c.env, 'status', 'some-cycle');
      expect(r.stderr, JSON.stringify(c.env)).toMatch(c.says);
      expect(r.code, r.stderr).toBe(c.code);
    }
  });
});
