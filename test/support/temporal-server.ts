/**
 * The self-hosted Temporal server (go.temporal.io/server, built by the project's setup) on
 * PostgreSQL, started from deploy/temporal-server/rcdebug.yaml: the same configuration file
 * docker-compose.yml mounts. On loopback of the test machine, or on a test host (network
 * namespace) with mutual TLS.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { repoRoot } from '../../src/domain/paths';
import { resolveTool } from '../../scripts/toolchain.mjs';
import type { Ca, CertPair } from './certs';
import type { Host } from './hosts';
import { PG_PASSWORD, PG_USER, startPostgres, type Postgres } from './postgres';

/** The server configuration directory shared with docker-compose.yml, and its environment name. */
export const SERVER_CONFIG_DIR = join(repoRoot, 'deploy', 'temporal-server');
export const SERVER_CONFIG_ENV = 'rcdebug';

/**
 * The server's flags for a configuration directory. `start` joins --root and --config, and
 * drops the leading slash of an absolute --config: the directory goes in --root.
 */
export function serverConfigArgs(dir: string): string[] {
  return ['--root', dir, '--config', '.', '--env', SERVER_CONFIG_ENV];
}

export interface ServerTls {
  ca: Ca;
  /** The server's certificate (its name and addresses). */
  server: CertPair;
  /** What clients check the server's certificate against. */
  serverName: string;
}

export interface SelfHostedServer {
  /** host:port of the frontend. */
  address: string;
  namespace: string;
  postgres: Postgres;
  process: ChildProcess;
  logFile: string;
  /** Environment a client or worker uses (TEMPORAL_ADDRESS, TEMPORAL_TLS_*), minus its own cert. */
  clientEnv: Record<string, string>;
  /** SIGKILL (crash) or SIGTERM, and wait. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the server process again on the same store and ports. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

const PORT_VARS = ['FRONTEND', 'HISTORY', 'MATCHING', 'WORKER'] as const;

function sqlTool(prefix: string[], pgPort: number, args: string[]): void {
  const cmd = [...prefix, resolveTool('temporal-sql-tool').path, '--plugin', 'postgres12', '--ep', '127.0.0.1', '-p', String(pgPort), '-u', PG_USER, '--pw', PG_PASSWORD, ...args];
  execFileSync(cmd[0] as string, cmd.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Creates both databases and brings their schemas to the server release's version. */
export function setupSchema(prefix: string[], pgPort: number): void {
  for (const [db, schema] of [['temporal', 'postgresql/v12/temporal'], ['temporal_visibility', 'postgresql/v12/visibility']] as const) {
    sqlTool(prefix, pgPort, ['--db', db, 'create-database']);
    sqlTool(prefix, pgPort, ['--db', db, 'setup-schema', '-v', '0.0']);
    sqlTool(prefix, pgPort, ['--db', db, 'update-schema', '--schema-name', schema]);
  }
}

/**
 * PostgreSQL and the server on `host` (or this machine's loopback), schemas set up, the
 * namespace registered; resolves once the frontend answers for it.
 */
export async function startSelfHostedServer(opts: { dir: string; host?: Host; tls?: ServerTls; namespace?: string; clientCert?: CertPair }): Promise<SelfHostedServer> {
  const prefix = opts.host?.prefix() ?? [];
  const namespace = opts.namespace ?? 'default';
  mkdirSync(opts.dir, { recursive: true });
  // On a test host every port is free; on this machine, ask the OS. The server's own ports go
  // into its membership table as smallint, so they must stay below 32768, under the range the
  // OS hands out for port 0.
  const port = async (fallback: number) => (opts.host ? fallback : await freeLowPort());
  const postgres = await startPostgres(join(opts.dir, 'pg'), await port(5432), prefix);
  setupSchema(prefix, postgres.port);
  const env: Record<string, string> = {
    RCDEBUG_PG_ADDR: `127.0.0.1:${postgres.port}`,
    RCDEBUG_SERVER_BIND_IP: opts.host ? '0.0.0.0' : '127.0.0.1',
    RCDEBUG_SERVER_HOST: opts.host?.ip ?? '127.0.0.1',
    RCDEBUG_METRICS_ADDR: `127.0.0.1:${await port(8000)}`,
    RCDEBUG_DYNAMIC_CONFIG: join(SERVER_CONFIG_DIR, 'dynamicconfig.yaml'),
  };
  for (const [i, name] of PORT_VARS.entries()) {
    env[`RCDEBUG_${name}_PORT`] = String(await port(7233 + i));
    env[`RCDEBUG_${name}_MEMBERSHIP_PORT`] = String(await port(6933 + i));
  }
  const clientEnv: Record<string, string> = { TEMPORAL_ADDRESS: `${env.RCDEBUG_SERVER_HOST}:${env.RCDEBUG_FRONTEND_PORT}`, TEMPORAL_NAMESPACE: namespace };
  if (opts.tls) {
    const worker = opts.tls.ca.issue('temporal-system-worker');
    Object.assign(env, {
      RCDEBUG_TLS_CERT: opts.tls.server.cert,
      RCDEBUG_TLS_KEY: opts.tls.server.key,
      RCDEBUG_TLS_CLIENT_CA: opts.tls.ca.cert,
      RCDEBUG_TLS_SERVER_NAME: opts.tls.serverName,
      RCDEBUG_TLS_WORKER_CERT: worker.cert,
      RCDEBUG_TLS_WORKER_KEY: worker.key,
    });
    Object.assign(clientEnv, { TEMPORAL_TLS_SERVER_CA_CERT_PATH: opts.tls.ca.cert, TEMPORAL_TLS_SERVER_NAME: opts.tls.serverName });
  }
  const logFile = join(opts.dir, 'temporal-server.log');
  const server: SelfHostedServer = {
    address: clientEnv.TEMPORAL_ADDRESS as string,
    namespace,
    postgres,
    process: undefined as unknown as ChildProcess,
    logFile,
    clientEnv,
    async start() {
      const out = openSync(logFile, 'a');
      const cmd = [...prefix, resolveTool('temporal-server').path, ...serverConfigArgs(SERVER_CONFIG_DIR), '--allow-no-auth', 'start'];
      server.process = spawn(cmd[0] as string, cmd.slice(1), { stdio: ['ignore', out, out], env: { ...process.env, ...env } });
      await waitForFrontend(server, opts.clientCert);
    },
    async kill(signal = 'SIGKILL') {
      const p = server.process;
      if (p.exitCode !== null || p.signalCode !== null) return;
      const done = new Promise((r) => p.once('exit', r));
      p.kill(signal);
      await done;
    },
    async stop() {
      await server.kill('SIGTERM');
      await postgres.stop();
    },
  };
  try {
    await server.start();
  } catch (err) {
    await server.kill();
    await postgres.stop();
    throw err;
  }
  return server;
}

/** A free loopback port from 10000 to 32767 (asked of the OS by binding it). */
async function freeLowPort(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const candidate = 10_000 + Math.floor(Math.random() * 22_768);
    const free = await new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(false));
      srv.listen(candidate, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (free) return candidate;
  }
  throw new Error('no free loopback port from 10000 to 32767');
}

/** A client connection from the test process with the server's client environment. */
export async function connectTo(server: SelfHostedServer, cert?: CertPair, timeoutMs = 5_000): Promise<Connection> {
  const tls = server.clientEnv.TEMPORAL_TLS_SERVER_CA_CERT_PATH
    ? {
        serverNameOverride: server.clientEnv.TEMPORAL_TLS_SERVER_NAME,
        serverRootCACertificate: readFileSync(server.clientEnv.TEMPORAL_TLS_SERVER_CA_CERT_PATH),
        ...(cert ? { clientCertPair: { crt: readFileSync(cert.cert), key: readFileSync(cert.key) } } : {}),
      }
    : undefined;
  return Connection.connect({ address: server.address, tls, connectTimeout: timeoutMs });
}

/** The end of a log, for an error message (the directory is gone once the test cleans up). */
export function logTail(file: string, chars = 3_000): string {
  try {
    return readFileSync(file, 'utf8').slice(-chars);
  } catch {
    return `(no log at ${file})`;
  }
}

async function waitForFrontend(server: SelfHostedServer, cert?: CertPair): Promise<void> {
  const deadline = Date.now() + 120_000;
  let registered = false;
  for (;;) {
    if (server.process.exitCode !== null) throw new Error(`the Temporal server exited at start (${server.process.exitCode}): ${logTail(server.logFile)}`);
    try {
      const conn = await connectTo(server, cert, 2_000);
      try {
        if (!registered) {
          try {
            await conn.workflowService.registerNamespace({ namespace: server.namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
          } catch (err) {
            if (!/already exists|AlreadyExists/i.test((err as Error).message)) throw err;
          }
          registered = true;
        }
        await conn.workflowService.describeNamespace({ namespace: server.namespace });
        return;
      } finally {
        await conn.close();
      }
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`the Temporal server did not answer on ${server.address} within 120 s: ${(err as Error).message}; its log ends: ${logTail(server.logFile)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
