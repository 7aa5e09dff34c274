import { fileURLToPath } from 'node:url';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { Command } from 'commander';
import { connectClient, connectWorker, settingsFromEnv } from '../../../../activities/temporal-connection';
import { getCycleView, startCycle } from '../../client/cycles';
import { DEFAULT_CLOUD, type LogHarvestOutput } from '../../../domain/contract';
import type { DevServer } from '../../dev-server';
import { stateDir } from '../../../domain/paths';
import { createWorkers } from '../../worker/create-workers';
import { intOption, portOption, serverPortOptions } from '../options';
import { table } from '../output';
import { startEmbeddedServer } from './dev';
import { watchCycle } from './watch';

export interface DemoOptions {
  rc: string;
  soak: number;
  port: number;
  uiPort: number;
  keepServer: boolean;
}

const say = (line = '') => process.stdout.write(`${line}\n`);

function pathOf(ref: string): string {
  return ref.startsWith('file:') ? fileURLToPath(ref) : ref;
}

/**
 * The README's main command: a whole release-candidate cycle on the embedded default, the
 * `kasan` flavor on the default cloud (qemu VMs here) with the example module kbug, from a fresh clone.
 */
export async function runDemo(o: DemoOptions): Promise<number> {
  // The demo talks to a person: the workers' routine state logs would bury the progress.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  let server: DevServer | undefined;
  const address = `127.0.0.1:${o.port}`;
  process.env.TEMPORAL_ADDRESS ??= address;
  try {
    await (await connectClient({ ...settingsFromEnv(), address })).connection.close();
    say(`Using the Temporal server already running on ${address}.`);
  } catch {
    server = await startEmbeddedServer({ port: o.port, uiPort: o.uiPort });
    say(`Started the Temporal dev server on ${server.address} (state in ${stateDir()}).`);
  }
  const uiBase = `http://127.0.0.1:${o.uiPort}`;
  const settings = { ...settingsFromEnv(), address };
  const connection = await connectWorker(settings);
  const workers = await createWorkers({ connection, namespace: settings.namespace, taskQueue: 'rcdebug', clouds: [DEFAULT_CLOUD] });
  const running = workers.run();
  try {
    const client = await connectClient(settings);
    const { workflowId } = await startCycle(client, {
      rc: o.rc,
      clouds: [DEFAULT_CLOUD],
      flavors: ['kasan'],
      soak: { durationSeconds: o.soak, checkIntervalSeconds: 15, scanIntervalSeconds: Math.max(30, Math.floor(o.soak / 2)) },
    });
    say(`Cycle ${workflowId}: rc ${o.rc}, kasan flavor, ${DEFAULT_CLOUD} cloud, module kbug.`);
    say(`Watch it in the Temporal UI: ${uiBase}/namespaces/${settings.namespace}/workflows/${encodeURIComponent(workflowId)}`);
    say('A cold run builds a debug kernel first (about 10 minutes on an idle 2-core machine, longer under load); later runs reuse it.');
    say();
    const code = await watchCycle(client, workflowId, { intervalMs: 2_000 });
    const view = await getCycleView(client, workflowId);
    for (const child of view.children) {
      const harvest = child.state?.steps.find((s) => s.name === 'log-harvest')?.output as LogHarvestOutput | undefined;
      if (!harvest) continue;
      say(`\nFindings of ${child.key} (${harvest.counts.new} new, ${harvest.counts.known} known, ${harvest.counts.fixed} fixed):`);
      say(
        table(
          ['status', 'title', 'nodes', 'count'],
          harvest.findings.map((f) => [f.status, f.title, f.nodes.join(', '), String(f.count)]),
        ),
      );
      say(`Node verdicts: ${Object.entries(harvest.nodes).map(([n, v]) => `${n}=${v}`).join(', ')}`);
      say('Reports:');
      for (const [kind, ref] of Object.entries(harvest.reports)) say(`  ${kind.padEnd(8)} ${pathOf(ref)}`);
    }
    say(`\nTemporal UI: ${uiBase}/namespaces/${settings.namespace}/workflows/${encodeURIComponent(workflowId)}`);
    if (server && !o.keepServer) say('The server stops now; `rcdebug dev` brings it and the UI back with this cycle in its history.');
    await client.connection.close();
    // New findings are the point of the demo; only a failed cycle is a failed demo.
    return code <= 1 ? 0 : code;
  } finally {
    workers.shutdown();
    await running;
    await connection.close();
    if (server && o.keepServer) {
      say('Server and UI keep running; press Ctrl-C to stop them.');
      await new Promise<void>((resolve) => process.once('SIGINT', resolve).once('SIGTERM', resolve));
    }
    await server?.stop();
  }
}

export function registerDemoCommand(program: Command): void {
  serverPortOptions(
    program
      .command('demo')
      .description('run a whole cycle on the embedded default: dev server, the default cloud, kasan flavor, kbug module')
      .option('--rc <version>', 'release candidate name', 'v0.1.0-rc1')
      .option('--soak <seconds>', 'soak duration', '120'),
  )
    .option('--keep-server', 'keep the server and UI running after the cycle, until Ctrl-C')
    .action(async (o: { rc: string; soak: string; port: string; uiPort: string; keepServer?: boolean }) => {
      process.exitCode = await runDemo({
        rc: o.rc,
        soak: intOption(o.soak, '--soak', 0),
        port: portOption(o.port, '--port'),
        uiPort: portOption(o.uiPort, '--ui-port'),
        keepServer: Boolean(o.keepServer),
      });
    });
}
