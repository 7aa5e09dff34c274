import { join } from 'node:path';
import type { Command } from 'commander';
import { startDevServer, type DevServer } from '../../dev-server';
import { DEFAULT_CLOUD } from '../../../domain/contract';
import { stateDir } from '../../../domain/paths';
import { UserError } from '../../../domain/errors';
import { portOption, serverPortOptions } from '../options';
import { parseClouds, runWorker } from './worker';

export interface DevOptions {
  port: number;
  uiPort: number;
}

/**
 * Starts the embedded Temporal dev server on a SQLite file under the state directory, so
 * cycles survive a restart, with the Web UI.
 */
export async function startEmbeddedServer(o: DevOptions): Promise<DevServer> {
  const dir = join(stateDir(), 'temporal');
  try {
    return await startDevServer({ dbFile: join(dir, 'temporal.db'), logFile: join(dir, 'server.log'), port: o.port, uiPort: o.uiPort });
  } catch (err) {
    throw new UserError(`${(err as Error).message}`, '--port', `is another Temporal server on ${o.port}? stop it, or pass --port and --ui-port`);
  }
}

export function registerDevCommand(program: Command): void {
  serverPortOptions(program.command('dev').description('run the embedded Temporal dev server (SQLite under the state dir, UI on 8233) and a worker'))
    .option('--clouds <list>', 'clouds whose activities the worker runs', DEFAULT_CLOUD)
    .option('--no-worker', 'only the server')
    .action(async (o: { port: string; uiPort: string; clouds: string; worker: boolean }) => {
      const clouds = parseClouds(o.clouds);
      const server = await startEmbeddedServer({ port: portOption(o.port, '--port'), uiPort: portOption(o.uiPort, '--ui-port') });
      process.env.TEMPORAL_ADDRESS = server.address;
      process.stderr.write(`Temporal dev server on ${server.address}, Web UI ${server.uiUrl}, state in ${stateDir()}\n`);
      try {
        if (o.worker) await runWorker({ clouds, taskQueue: 'rcdebug', workflows: true });
        else await new Promise<void>((resolve) => process.once('SIGINT', resolve).once('SIGTERM', resolve));
      } finally {
        await server.stop();
      }
    });
}
