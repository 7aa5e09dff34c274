/**
 * Live findings benchmark: how long after a bug's report reaches a node's console its finding
 * is in the cycle's state (what `rcdebug status --json` reads). A real dev server runs a cycle
 * whose soak check is the local cloud's (its console reading and the common check) over a
 * console file this bench appends to: workload lines all along, and a planted report now and
 * then at a time unrelated to the checks. Printed beside the check interval.
 */
import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { checkSoak } from '../activities/steps/soak-check';
import { consolePath } from '../activities/providers/local/cluster-provision';
import type { LocalDeps } from '../activities/providers/local/deps';
import { localSoakNodes } from '../activities/providers/local/soak-check';
import { getCycleView } from '../src/app/client/cycles';
import { startDevServer } from '../src/app/dev-server';
import { createWorkers } from '../src/app/worker/create-workers';
import { goldenLog, goldenTitle, workloadNoise } from '../test/support/live-consoles';
import { scriptedProvider } from '../test/support/scripted-provider';
import { benchNumber } from './bench-env';

const CHECK_INTERVAL_S = benchNumber('RCDEBUG_BENCH_CHECK_INTERVAL', 10);
/** Planted reports: golden logs, each planted this many seconds after the soak's first check. */
const PLANTS: Array<[string, number]> = [['kbug-kasan-uaf', 3.3], ['kbug-kasan-double-free', 17.9], ['kbug-ubsan-shift', 31.6], ['kbug-kfence-uaf', 46.1]];

export async function benchLive(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'rcdebug-bench-live-'));
  const server = await startDevServer({ logFile: join(dir, 'server.log'), uiPort: false });
  const deps = { artifacts: { localPath: (key: string) => join(dir, 'artifacts', key) }, stateDir: join(dir, 'state') } as unknown as LocalDeps;
  // The child cycle's id (`<workflow id>.<cloud>-<flavor>`) names its console file.
  const consoleFile = consolePath(deps, 'bench-live.local-kasan', 'node-a');
  const local = scriptedProvider();
  // The local cloud's soak check without VMs: its console file, nodes that are up and healthy.
  local.soakCheck = (input, io) => {
    const nodes = localSoakNodes(input, deps);
    return checkSoak(input, io, { ...nodes, states: async (list) => new Map(list.map((n) => [n.name, { up: true, healthy: true, detail: 'bench' }])), scan: async () => new Map() });
  };
  const taskQueue = 'bench-live';
  const connection = await NativeConnection.connect({ address: server.address });
  const workers = await createWorkers({ connection, namespace: 'default', taskQueue, clouds: ['local'], providers: { local } });
  const running = workers.run();
  const client = new Client({ connection: await Connection.connect({ address: server.address }) });
  let line = 0;
  mkdirSync(dirname(consoleFile), { recursive: true });
  const write = (text: string) => appendFileSync(consoleFile, text);
  // Workload output all along, as on a soaking node: a report is never followed by silence.
  const noise = setInterval(() => write(workloadNoise(line++, 1)), 200);
  try {
    const soakSeconds = Math.ceil(PLANTS.at(-1)![1] + 3 * CHECK_INTERVAL_S);
    const h = await client.workflow.start('rcCycle', { taskQueue, workflowId: 'bench-live', args: [{ rc: 'v1.0.0-rc1', taskQueue, soak: { durationSeconds: soakSeconds, checkIntervalSeconds: CHECK_INTERVAL_S, scanIntervalSeconds: 0 } }] });
    const view = () => getCycleView(client, 'bench-live');
    while (!(await view()).children.some((c) => c.state?.currentStep === 'soak')) await new Promise((r) => setTimeout(r, 50));
    const soakStart = performance.now();
    const latencies: number[] = [];
    for (const [name, at] of PLANTS) {
      await new Promise((r) => setTimeout(r, Math.max(0, soakStart + at * 1000 - performance.now())));
      const title = goldenTitle(name);
      write(goldenLog(name));
      const planted = performance.now();
      for (;;) {
        const v = await view();
        if (v.children.some((c) => c.state?.findings?.some((f) => f.title === title))) break;
        if (v.status !== 'RUNNING') throw new Error(`the cycle ended without the finding "${title}" in its state`);
        await new Promise((r) => setTimeout(r, 100));
      }
      latencies.push((performance.now() - planted) / 1000);
    }
    await h.result();
    const row = (name: string, value: string, target: string) => console.log(`  ${name.padEnd(44)} ${value.padStart(12)}   target ${target}`);
    console.log(`live findings: ${PLANTS.length} reports planted on a local console file during a soak, checked every ${CHECK_INTERVAL_S} s, dev server in memory`);
    const worst = Math.max(...latencies);
    for (const [i, [name]] of PLANTS.entries()) row(`  ${name}`, `${latencies[i]!.toFixed(1)} s`, '');
    row('console → finding in the state, worst', `${worst.toFixed(1)} s`, `≤ ${CHECK_INTERVAL_S + 5} s (one check interval + 5 s)`);
    row('worst / check interval', `${(worst / CHECK_INTERVAL_S).toFixed(2)}×`, `≤ ${((CHECK_INTERVAL_S + 5) / CHECK_INTERVAL_S).toFixed(2)}×`);
  } finally {
    clearInterval(noise);
    await client.connection.close();
    workers.shutdown();
    await running;
    await connection.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
