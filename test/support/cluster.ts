/**
 * A self-hosted cluster for tests: the server and PostgreSQL on one test host, worker
 * processes on the others, every connection mutual TLS with certificates made for the run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import { ensureSearchAttributes } from '../../src/app/client/ensure-search-attributes';
import { createCa, type Ca, type CertPair } from './certs';
import { createHosts, type Host, type Hosts } from './hosts';
import type { Call } from './scripted-provider';
import { connectTo, startSelfHostedServer, type SelfHostedServer } from './temporal-server';

export interface Cluster {
  dir: string;
  hosts: Hosts;
  ca: Ca;
  server: SelfHostedServer;
  /** The operator's client certificate (the test process). */
  operator: CertPair;
  client(): Promise<Client>;
  /** The environment a worker on a host uses: the server's address, the CA, its own cert. */
  workerEnv(cert: CertPair): Record<string, string>;
  spawnWorker(host: Host, taskQueue: string, recordFile: string, script?: object, opts?: { cert?: CertPair; env?: Record<string, string> }): Promise<ChildProcess>;
  stop(): Promise<void>;
}

const SERVER_NAME = 'temporal';

export async function startCluster(workers = 2): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'rcdebug-cluster-'));
  const hosts = createHosts(workers);
  const children: ChildProcess[] = [];
  let server: SelfHostedServer | undefined;
  const stop = async () => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await server?.stop().catch(() => undefined);
    hosts.remove();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const ca = createCa(join(dir, 'ca'), 'rcdebug-test-ca');
    const serverCert = ca.issue(SERVER_NAME, [hosts.server.ip]);
    const operator = ca.issue('operator');
    server = await startSelfHostedServer({ dir: join(dir, 'server'), host: hosts.server, tls: { ca, server: serverCert, serverName: SERVER_NAME }, clientCert: operator });
    const s = server;
    const client = async () => new Client({ connection: await connectTo(s, operator), namespace: s.namespace });
    // What `rcdebug worker` does at start on a self-hosted cluster.
    const conn = await connectTo(s, operator);
    const missing = await ensureSearchAttributes(conn, s.namespace);
    await conn.close();
    if (missing.length) throw new Error(`search attributes not registered: ${missing.join(', ')}`);
    const workerEnv = (cert: CertPair) => ({ ...s.clientEnv, TEMPORAL_TLS_CLIENT_CERT_PATH: cert.cert, TEMPORAL_TLS_CLIENT_KEY_PATH: cert.key });
    return {
      dir,
      hosts,
      ca,
      server: s,
      operator,
      client,
      workerEnv,
      async spawnWorker(host, taskQueue, recordFile, script = {}, opts = {}) {
        const cert = opts.cert ?? ca.issue(`worker-${host.ns.split('-').at(-1)}`);
        const cmd = [...host.prefix(), process.execPath, '--import', 'tsx', 'test/support/worker-process.ts', s.address, taskQueue, recordFile, JSON.stringify(script)];
        const child = spawn(cmd[0] as string, cmd.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...workerEnv(cert), ...opts.env } });
        children.push(child);
        let err = '';
        child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
        await new Promise<void>((resolve, reject) => {
          child.stdout?.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
          child.once('exit', (code) => reject(new Error(`worker on ${host.ns} exited with ${code} before it was ready: ${err.slice(-2000)}`)));
        });
        return child;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

export function readCalls(file: string): Call[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Call);
}
