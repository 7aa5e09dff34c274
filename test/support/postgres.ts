/**
 * PostgreSQL from Debian's packages for the self-hosted Temporal server: a cluster initialised
 * in a throw-away directory, listening on loopback on a free port (of the host it runs on).
 * PostgreSQL refuses to run as root, so as root it runs as `nobody`.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdirSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { postgresBinDir } from '../../scripts/tools-server.mjs';
import { resolveTool } from '../../scripts/toolchain.mjs';

export const PG_USER = 'temporal';
export const PG_PASSWORD = 'temporal';

export interface Postgres {
  port: number;
  dataDir: string;
  process: ChildProcess;
  /** Stops it (fast shutdown, or SIGKILL with `kill`). */
  stop(kill?: boolean): Promise<void>;
  /** Starts it again on the same directory and port. */
  start(): Promise<void>;
}

const NOBODY = { uid: 65534, gid: 65534 };

function asUnprivileged(cmd: string, args: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [cmd, args];
  return [resolveTool('setpriv').path, [`--reuid=${NOBODY.uid}`, `--regid=${NOBODY.gid}`, '--clear-groups', '--', cmd, ...args]];
}

function binDir(): string {
  resolveTool('postgres');
  return postgresBinDir() as string;
}

/** `prefix` runs commands on another host (a network namespace); its loopback is then its own. */
export async function startPostgres(dir: string, port: number, prefix: string[] = []): Promise<Postgres> {
  const dataDir = join(dir, 'pgdata');
  const sockDir = join(dir, 'pgsock');
  for (const d of [dir, sockDir]) mkdirSync(d, { recursive: true });
  if (process.getuid?.() === 0) {
    // The path down to the data must be reachable by nobody.
    for (let d = dir; d !== dirname(d) && d.startsWith('/tmp/'); d = dirname(d)) execFileSync('chmod', ['o+x', d]);
    chownSync(dir, NOBODY.uid, NOBODY.gid);
    chownSync(sockDir, NOBODY.uid, NOBODY.gid);
  }
  const [initCmd, initArgs] = asUnprivileged(join(binDir(), 'initdb'), ['-D', dataDir, '-U', PG_USER, '--auth=trust', '-E', 'UTF8', '--no-sync']);
  execFileSync(initCmd, initArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
  const log = join(dir, 'postgres.log');
  const pg: Postgres = {
    port,
    dataDir,
    process: undefined as unknown as ChildProcess,
    async start() {
      const [cmd, args] = asUnprivileged(join(binDir(), 'postgres'), ['-D', dataDir, '-k', sockDir, '-h', '127.0.0.1', '-p', String(port), '-c', 'max_connections=200']);
      const out = openSync(log, 'a');
      const all = [...prefix, cmd, ...args];
      pg.process = spawn(all[0] as string, all.slice(1), { stdio: ['ignore', out, out] });
      const ready = join(binDir(), 'pg_isready');
      const deadline = Date.now() + 30_000;
      for (;;) {
        if (pg.process.exitCode !== null) throw new Error(`postgres exited at start; see ${log}`);
        try {
          execFileSync(prefix[0] ?? ready, [...prefix.slice(1), ...(prefix.length ? [ready] : []), '-h', '127.0.0.1', '-p', String(port), '-q'], { stdio: 'ignore' });
          return;
        } catch {
          if (Date.now() > deadline) throw new Error(`postgres did not accept connections within 30 s; see ${log}`);
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    },
    async stop(kill = false) {
      const p = pg.process;
      if (p.exitCode !== null || p.signalCode !== null) return;
      const done = new Promise((r) => p.once('exit', r));
      // SIGINT: PostgreSQL's fast shutdown (sessions ended, data flushed).
      p.kill(kill ? 'SIGKILL' : 'SIGINT');
      await done;
    },
  };
  await pg.start();
  return pg;
}
