import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { Connection } from '@temporalio/client';
import { InfraError } from '../domain/errors';
import { SEARCH_ATTRIBUTES } from '../domain/search-attributes';
import { resolveTool } from '../../scripts/toolchain.mjs';

export interface DevServerOptions {
  /** SQLite file; cycles survive a restart of the server on the same file. Omitted: in memory. */
  dbFile?: string | undefined;
  /** gRPC port; 0 picks a free one. */
  port?: number;
  /** Web UI port; undefined: gRPC port + 1000; false: no UI. */
  uiPort?: number | false;
  /** Server output goes here. */
  logFile: string;
  namespace?: string;
}

export interface DevServer {
  address: string;
  uiUrl: string | undefined;
  port: number;
  process: ChildProcess;
  /** Stops the server (SIGTERM, then SIGKILL) and waits for it. */
  stop(): Promise<void>;
}

/** Path of the `temporal` CLI, as the bootstrap found or installed it. */
export function temporalCli(): string {
  try {
    return resolveTool('temporal').path;
  } catch (err) {
    throw new InfraError(`the temporal CLI is missing: ${(err as Error).message}`);
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts `temporal server start-dev` on a SQLite file with rcdebug's search attributes
 * registered, and waits until it answers.
 */
export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  const port = opts.port || (await freePort());
  const namespace = opts.namespace ?? 'default';
  if (opts.dbFile) mkdirSync(dirname(opts.dbFile), { recursive: true });
  mkdirSync(dirname(opts.logFile), { recursive: true });
  const args = [
    'server', 'start-dev',
    // On a file: a write-ahead log, synced at checkpoints rather than at every commit. What
    // was committed survives the server process dying (the resilience test restarts it); only
    // a crash of the machine itself can lose the last moments. Every commit synced costs a
    // workflow step over twice as much.
    ...(opts.dbFile ? ['--db-filename', opts.dbFile, '--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal'] : []),
    '--port', String(port),
    '--ip', '127.0.0.1',
    '--namespace', namespace,
    '--log-level', 'warn',
    // Lets the SDK's user metadata (summary/details) show in the UI and keeps schedules snappy.
    '--dynamic-config-value', 'frontend.workerVersioningDataAPIs=true',
    // The dev server has one history shard, and each of its task queues may load tasks only
    // 20 times a second by default (a limit meant per shard of a large cluster). With a few
    // cycles at once, every step then waits for the next load: about 50 ms to dispatch its
    // workflow task and 50 more for its activity. One shard can take far more.
    ...['transfer', 'timer', 'visibility', 'outbound'].flatMap((q) => ['--dynamic-config-value', `history.${q}ProcessorMaxPollRPS=1000`]),
  ];
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) args.push('--search-attribute', `${name}=${type}`);
  if (opts.uiPort === false) args.push('--headless');
  else if (opts.uiPort) args.push('--ui-port', String(opts.uiPort));
  const out = openSync(opts.logFile, 'a');
  const child = spawn(temporalCli(), args, { stdio: ['ignore', out, out], detached: false });
  const address = `127.0.0.1:${port}`;
  let exited = false;
  child.once('exit', () => (exited = true));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new InfraError(`the Temporal dev server exited at start; see ${opts.logFile}`);
    try {
      const conn = await Connection.connect({ address, connectTimeout: 1_000 });
      await conn.workflowService.describeNamespace({ namespace });
      await conn.close();
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new InfraError(`the Temporal dev server did not answer on ${address} within 60 s; see ${opts.logFile}`, err);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  const uiPort = opts.uiPort === false ? undefined : opts.uiPort || port + 1000;
  return {
    address,
    port,
    uiUrl: uiPort ? `http://127.0.0.1:${uiPort}` : undefined,
    process: child,
    async stop() {
      if (exited) return;
      const done = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await done;
      clearTimeout(timer);
    },
  };
}
