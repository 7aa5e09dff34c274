import { describe, expect, it } from 'vitest';
import type { CycleView } from '../../src/app/client/cycles';
import { rcdebugAt, rcdebugStreaming, type CliRun } from '../support/cli-process';
import { address, eventually, testClient, uniqueQueue, withWorkers } from '../support/engine';
import { UAF_CONSOLE, UAF_TITLE } from '../support/live-consoles';
import { scriptedProvider, stepsCalled } from '../support/scripted-provider';

/** Runs the CLI as users do: a process, against the test server. */
function rcdebug(...args: string[]): Promise<CliRun> {
  return rcdebugAt(address(), ...args);
}

const fastSoak = ['--soak', '2', '--check-interval', '1', '--scan-interval', '0'];

async function startJson(...args: string[]): Promise<string> {
  const r = await rcdebug('start', '--json', ...args);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return (JSON.parse(r.stdout) as { workflowId: string }).workflowId;
}

describe('the rcdebug CLI, spawned as a process', () => {
  it('start → watch (exit 0 on clean) → status --json shows every step and its output', async () => {
    const taskQueue = uniqueQueue('cli-happy');
    const local = scriptedProvider();
    await withWorkers({ taskQueue, clouds: ['local'], providers: { local } }, async () => {
      const id = await startJson('--rc', 'v3.0.0-rc1', '--task-queue', taskQueue, ...fastSoak);
      const watch = await rcdebug('watch', id, '--interval', '300');
      expect(watch.code).toBe(0);
      expect(watch.stdout).toMatch(/\[local-kasan\] kernel-build succeeded/);
      expect(watch.stdout).toMatch(/verdict: clean/);
      const status = await rcdebug('status', id, '--json');
      expect(status.code).toBe(0);
      const view = JSON.parse(status.stdout) as CycleView;
      expect(view.status).toBe('COMPLETED');
      const steps = view.children[0]?.state?.steps ?? [];
      expect(steps.map((s) => [s.name, s.status])).toEqual(
        ['kernel-build', 'image-bake', 'version-publish', 'cluster-provision', 'deploy', 'soak', 'log-harvest', 'teardown'].map((n) => [n, 'succeeded']),
      );
      expect(steps.find((s) => s.name === 'image-bake')?.output).toMatchObject({ imageId: 'img-kd-kasan' });
      const table = await rcdebug('status', id);
      expect(table.stdout).toMatch(/image-bake.*succeeded.*imageId=img-kd-kasan/);
    });
  });

  it('watch prints each finding of the soak once, as it appears, and exits 1 when the cycle has new findings', async () => {
    const taskQueue = uniqueQueue('cli-findings');
    // The second soak check is held until watch has printed the finding of the first: a watch
    // that printed findings only at the end would never open it, and the test would time out.
    // A 10 s soak has its second check unless the first one takes 9 s.
    let seenLive!: () => void;
    const open = new Promise<void>((r) => (seenLive = r));
    const local = scriptedProvider({ newFindings: [UAF_TITLE], consoles: { 'node-a': { 1: UAF_CONSOLE, 2: UAF_CONSOLE } }, soakGate: { tick: 2, open } });
    await withWorkers({ taskQueue, clouds: ['local'], providers: { local } }, async () => {
      const id = await startJson('--rc', 'v3.0.0-rc1', '--task-queue', taskQueue, '--soak', '10', '--check-interval', '1', '--scan-interval', '0');
      const watch = await rcdebugStreaming(address(), ['watch', id, '--interval', '300'], (sofar) => {
        if (sofar.includes('finding on node-a')) seenLive();
      });
      expect(watch.stdout.match(/\[local-kasan\] finding on node-a: (.*)/g)).toEqual([`[local-kasan] finding on node-a: ${UAF_TITLE}`]);
      // It appeared while the soak ran, before the harvest.
      expect(watch.stdout.indexOf('finding on node-a')).toBeLessThan(watch.stdout.indexOf('[local-kasan] soak succeeded'));
      // The final status lists it with its count over both checks.
      expect(watch.stdout).toContain(`    new   ${UAF_TITLE}  on node-a, 2×, first at check 1`);
      expect(watch.stdout).toMatch(/verdict: findings/);
      expect(watch.code).toBe(1);
    });
  });

  it('rerun --retry answers a parked cycle; wrong rerun usage is refused with exit 2', async () => {
    const taskQueue = uniqueQueue('cli-park');
    const local = scriptedProvider({ script: { deploy: { fail: ['user'] } } });
    await withWorkers({ taskQueue, clouds: ['local'], providers: { local } }, async () => {
      const id = await startJson('--rc', 'v3.0.0-rc2', '--task-queue', taskQueue, ...fastSoak);
      const parked = await eventually(async () => {
        const s = await rcdebug('status', id, '--json');
        const view = JSON.parse(s.stdout) as CycleView;
        return view.children[0]?.state?.phase === 'awaiting-operator' ? view : undefined;
      }, 60_000, 'park');
      expect(parked.children[0]?.state?.parked?.step).toBe('deploy');
      const human = await rcdebug('status', id);
      expect(human.stdout).toMatch(/parked at deploy: UserError: injected user error/);
      const both = await rcdebug('rerun', id, '--retry', '--skip');
      expect(both.code).toBe(2);
      expect(both.stderr).toMatch(/exactly one of --retry, --skip, --abort, --from/);
      const wrongStep = await rcdebug('rerun', id, '--retry', '--step', 'soak');
      expect(wrongStep.code).toBe(2);
      expect(wrongStep.stderr).toMatch(/"soak" is not parked/);
      const retry = await rcdebug('rerun', id, '--retry');
      expect(retry.code).toBe(0);
      expect(retry.stdout).toMatch(/retrying deploy/);
      expect((await rcdebug('watch', id, '--interval', '300')).code).toBe(0);
    });
    expect(stepsCalled(local.calls).filter((s) => s === 'deploy')).toHaveLength(2);
  });

  it('cancel ends a soaking cycle after teardown; watch exits 5', async () => {
    const taskQueue = uniqueQueue('cli-cancel');
    const local = scriptedProvider();
    await withWorkers({ taskQueue, clouds: ['local'], providers: { local } }, async () => {
      const id = await startJson('--rc', 'v3.0.0-rc3', '--task-queue', taskQueue, '--soak', '600', '--check-interval', '1');
      await eventually(async () => local.calls.some((c) => c.step === 'soakCheck'), 60_000, 'soak');
      const cancel = await rcdebug('cancel', id);
      expect(cancel.code).toBe(0);
      const watch = await rcdebug('watch', id, '--interval', '300');
      expect(watch.code).toBe(5);
      expect((await rcdebug('cancel', id)).code).toBe(2);
    });
    expect(stepsCalled(local.calls).filter((s) => s === 'teardown')).toHaveLength(1);
  });

  it('rerun --from starts a new cycle that reuses the outputs of the steps before it', async () => {
    const taskQueue = uniqueQueue('cli-from');
    const local = scriptedProvider();
    await withWorkers({ taskQueue, clouds: ['local'], providers: { local } }, async () => {
      const id = await startJson('--rc', 'v3.0.0-rc4', '--task-queue', taskQueue, '--teardown', 'keep', ...fastSoak);
      expect((await rcdebug('watch', id, '--interval', '300')).code).toBe(0);
      local.calls.length = 0;
      const rerun = await rcdebug('rerun', id, '--from', 'deploy', '--json');
      expect(rerun.code).toBe(0);
      const newId = (JSON.parse(rerun.stdout) as { workflowId: string }).workflowId;
      expect(newId).not.toBe(id);
      expect((await rcdebug('watch', newId, '--interval', '300')).code).toBe(0);
      expect(stepsCalled(local.calls)).toEqual(['deploy', 'log-harvest']);
      const view = JSON.parse((await rcdebug('status', newId, '--json')).stdout) as CycleView;
      const steps = view.children[0]?.state?.steps ?? [];
      expect(steps.filter((s) => s.status === 'reused').map((s) => s.name)).toEqual(['kernel-build', 'image-bake', 'version-publish', 'cluster-provision']);
      // The reused outputs are the first cycle's, byte for byte.
      expect(steps.find((s) => s.name === 'cluster-provision')?.output).toMatchObject({ clusterId: `cl-${id}.local-kasan` });

      // When the first cycle's cluster was torn down, a rerun from soak provisions a new one.
      local.calls.length = 0;
      const id2 = await startJson('--rc', 'v3.0.0-rc4', '--task-queue', taskQueue, ...fastSoak);
      expect((await rcdebug('watch', id2, '--interval', '300')).code).toBe(0);
      local.calls.length = 0;
      const again = await rcdebug('rerun', id2, '--from', 'soak');
      expect(again.stdout).toMatch(/cluster was torn down/);
      const id3 = /started ([^\s,]+)/.exec(again.stdout)?.[1] as string;
      expect((await rcdebug('watch', id3, '--interval', '300')).code).toBe(0);
      expect(stepsCalled(local.calls)).toEqual(['cluster-provision', 'deploy', 'log-harvest', 'teardown']);
    });
  });

  it('schedule create, list, describe, pause, trigger and delete', async () => {
    const taskQueue = uniqueQueue('cli-sched');
    const scheduleId = `nightly-${taskQueue}`;
    const local = scriptedProvider();
    await withWorkers({ taskQueue, clouds: ['local'], providers: { local } }, async () => {
      const create = await rcdebug('schedule', 'create', scheduleId, '--cron', '0 2 * * *', '--timezone', 'Europe/Budapest', '--rc', 'v3.1.0-rc1', '--task-queue', taskQueue, ...fastSoak);
      expect(create.stderr).toBe('');
      expect(create.code).toBe(0);
      const list = JSON.parse((await rcdebug('schedule', 'list', '--json')).stdout) as Array<{ scheduleId: string }>;
      expect(list.map((s) => s.scheduleId)).toContain(scheduleId);
      const desc = JSON.parse((await rcdebug('schedule', 'describe', scheduleId, '--json')).stdout) as { timezone: string; action: { workflowType: string; input: { rc: string } }; paused: boolean };
      expect(desc).toMatchObject({ timezone: 'Europe/Budapest', paused: false, action: { workflowType: 'rcCycle', input: { rc: 'v3.1.0-rc1' } } });
      expect((await rcdebug('schedule', 'pause', scheduleId)).code).toBe(0);
      expect(JSON.parse((await rcdebug('schedule', 'describe', scheduleId, '--json')).stdout)).toMatchObject({ paused: true });
      expect((await rcdebug('schedule', 'trigger', scheduleId)).code).toBe(0);
      const client = await testClient();
      await eventually(async () => local.calls.some((c) => c.step === 'teardown'), 60_000, 'the triggered cycle to finish');
      const triggered = await eventually(async () => {
        const d = JSON.parse((await rcdebug('schedule', 'describe', scheduleId, '--json')).stdout) as { recentActions: Array<{ workflowId: string }> };
        return d.recentActions[0]?.workflowId;
      }, 30_000, 'the schedule to record its action');
      expect((await client.workflow.getHandle(triggered).result()).verdict).toBe('clean');
      expect((await rcdebug('schedule', 'delete', scheduleId)).code).toBe(0);
      const after = JSON.parse((await rcdebug('schedule', 'list', '--json')).stdout) as Array<{ scheduleId: string }>;
      expect(after.map((s) => s.scheduleId)).not.toContain(scheduleId);
      expect((await rcdebug('schedule', 'describe', scheduleId)).code).toBe(2);
    });
  });

  it('doctor shows which clouds need each tool, as their plugins say', async () => {
    const r = await rcdebug('doctor', '--json');
    const tools = (JSON.parse(r.stdout) as { tools: Array<{ name: string; clouds: string[] }> }).tools;
    const cloudsOf = (name: string) => tools.find((t) => t.name === name)?.clouds;
    expect(cloudsOf('temporal')).toEqual(['all']);
    expect(cloudsOf('qemu-system-x86_64')).toEqual(['local']);
    // Every cloud but local provisions with terraform; local has no use for it.
    expect(cloudsOf('tofu')).toContain('aws');
    expect(cloudsOf('tofu')).not.toContain('local');
  });

  it('start refuses a cloud no worker polls, naming the worker command; --no-worker-check starts anyway', async () => {
    const taskQueue = uniqueQueue('cli-noworker');
    const refused = await rcdebug('start', '--rc', 'v3.2.0-rc1', '--task-queue', taskQueue);
    expect(refused.stderr).toMatch(new RegExp(`no worker polls "${taskQueue}-local"`));
    expect(refused.stderr).toMatch(new RegExp(`rcdebug worker --clouds local --task-queue ${taskQueue}`));
    expect(refused.stdout).toBe('');
    expect(refused.code).toBe(2);
    const client = await testClient();
    try {
      // Refused before the start: Temporal has no cycle on that queue.
      const listed = [];
      for await (const w of client.workflow.list({ query: `TaskQueue = "${taskQueue}"` })) listed.push(w.workflowId);
      expect(listed).toEqual([]);
      const id = await startJson('--rc', 'v3.2.0-rc1', '--task-queue', taskQueue, '--no-worker-check');
      const desc = await client.workflow.getHandle(id).describe();
      expect(desc.status.name).toBe('RUNNING');
      await client.workflow.getHandle(id).terminate('test: nothing polls this queue');
    } finally {
      await client.connection.close();
    }
  });

  it.each([
    { name: 'rc that is not a version', args: ['start', '--rc', 'tuesday'], err: /rc: rc must be a version string/ },
    { name: 'unknown cloud', args: ['start', '--rc', 'v1.0', '--clouds', 'mars'], err: /clouds\.0: unknown cloud/ },
    { name: 'a cloud this build has no plugin for', args: ['start', '--rc', 'v1.0.0', '--clouds', 'nocloud'], err: /clouds\.0: unknown cloud "nocloud": clouds takes local, aws/ },
    { name: 'a worker for a cloud with no plugin', args: ['worker', '--clouds', 'nimbus'], err: /--clouds: unknown cloud "nimbus"; this rcdebug has plugins for local, aws/ },
    { name: 'a baseline that does not exist', args: ['start', '--rc', 'v1.0', '--baseline', 'no/such/baseline.yaml'], err: /baseline: .*baseline\.yaml does not exist/ },
    { name: 'a module source that does not exist', args: ['start', '--rc', 'v1.0', '--module', 'kbug', '--module-source', 'no/such/module'], err: /module\.source: .*module does not exist/ },
    { name: 'a janitor of a cloud that has none', args: ['janitor', 'sweep', '--cloud', 'local'], err: /--cloud: give one of aws/ },
    { name: 'a manifest invalid for the clouds named', args: ['manifest', 'validate', 'manifests/local-demo.yaml', '--clouds', 'aws'], err: /workloadCluster: the cycle runs on aws/ },
    { name: 'unknown flavor', args: ['start', '--rc', 'v1.0', '--flavors', 'ubsan'], err: /flavors\.0: unknown flavor/ },
    { name: 'negative soak', args: ['start', '--rc', 'v1.0', '--soak', '-1'], err: /soak\.durationSeconds/ },
    { name: 'absurd soak', args: ['start', '--rc', 'v1.0', '--soak', '99999999'], err: /soak\.durationSeconds: .*at most/ },
    { name: 'bad cron', args: ['schedule', 'create', 'x', '--rc', 'v1.0', '--cron', '0 25 * * *'], err: /--cron: hour "25" is out of range/ },
    { name: 'cron and interval', args: ['schedule', 'create', 'x', '--rc', 'v1.0', '--cron', '0 2 * * *', '--every', '1h'], err: /give exactly one/ },
    { name: 'bad interval', args: ['schedule', 'create', 'x', '--rc', 'v1.0', '--every', 'often'], err: /--every: "often"/ },
    { name: 'bad overlap', args: ['schedule', 'create', 'x', '--rc', 'v1.0', '--every', '1h', '--overlap', 'maybe'], err: /--overlap/ },
    { name: 'unknown cycle', args: ['status', 'no-such-cycle'], err: /no cycle with id "no-such-cycle"/ },
    { name: 'missing manifest', args: ['start', '--rc', 'v1.0', '--manifest', 'manifests/nope.yaml'], err: /nope\.yaml: the manifest does not exist/ },
    { name: 'manifest without a section for the cloud', args: ['start', '--rc', 'v1.0', '--clouds', 'aws', '--manifest', 'manifests/local-demo.yaml'], err: /workloadCluster: the cycle runs on aws/ },
    { name: 'invalid manifest', args: ['manifest', 'validate', 'test/fixtures/manifests/unknown-key.yaml'], err: /unknown/ },
    // Checked before the demo or dev server starts anything (no server, no VM).
    { name: 'a demo soak that is not a number', args: ['demo', '--soak', 'long'], err: /--soak must be a whole number of at least 0, got "long"/ },
    { name: 'a dev port out of range', args: ['dev', '--port', '70000'], err: /--port must be a whole number from 1 to 65535/ },
    { name: 'a watch interval that is not a number', args: ['watch', 'x', '--interval', 'soon'], err: /--interval must be a whole number/ },
    { name: 'a worker metrics port that is not a port', args: ['worker', '--metrics-port', 'http'], err: /--metrics-port must be a whole number from 1 to 65535/ },
  ])('refuses $name with exit 2 and names the field', async ({ args, err }) => {
    const r = await rcdebug(...args);
    expect(r.stderr).toMatch(err);
    expect(r.code).toBe(2);
  });

  it('a worker with a bad number in its environment is refused before it waits for Temporal', async () => {
    process.env.RCDEBUG_BOOT_TIMEOUT_S = 'ten';
    try {
      // Nothing listens on port 1: a worker that connected first would wait there a minute.
      const r = await rcdebugAt('127.0.0.1:1', 'worker', '--clouds', 'local', '--connect-wait', '30');
      expect(r.stderr).toMatch(/RCDEBUG_BOOT_TIMEOUT_S="ten" is not a number above 0/);
      expect(r.stderr).not.toMatch(/cannot reach Temporal/);
      expect(r.code).toBe(2);
    } finally {
      delete process.env.RCDEBUG_BOOT_TIMEOUT_S;
    }
  });

  it.each([
    { name: 'status', args: ['status', 'some-cycle'] },
    { name: 'start', args: ['start', '--rc', 'v1.0.0'] },
  ])('$name exits 10 and says what to start when Temporal cannot be reached', async ({ args }) => {
    // Port 1 on the loopback: nothing listens there, so the connection is refused at once.
    const r = await rcdebugAt('127.0.0.1:1', ...args);
    expect(r.stderr).toMatch(/cannot reach Temporal at 127\.0\.0\.1:1/);
    expect(r.stderr).toMatch(/→ start one with `rcdebug dev`/);
    expect(r.code).toBe(10);
  });
});
