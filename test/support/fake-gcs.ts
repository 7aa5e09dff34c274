/**
 * fake-gcs-server (the Cloud Storage emulator, built by `node scripts/bootstrap.mjs test`)
 * started on loopback on a free port, in memory, over plain HTTP.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolveTool } from '../../scripts/toolchain.mjs';
import { freePort } from './moto';

export interface FakeGcs {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  /** Creates a bucket (the JSON API's buckets.insert). */
  createBucket(name: string): Promise<void>;
  stop(): Promise<void>;
}

/** Starts fake-gcs-server; a missing installation is a failure saying how to install it. */
export async function startFakeGcs(): Promise<FakeGcs> {
  const bin = resolveTool('fake-gcs-server').path;
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(bin, ['-scheme', 'http', '-host', '127.0.0.1', '-port', String(port), '-backend', 'memory', '-external-url', endpoint, '-log-level', 'error'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`fake-gcs-server exited with ${child.exitCode}: ${stderr}`);
    try {
      if ((await fetch(`${endpoint}/storage/v1/b`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`fake-gcs-server did not answer on ${endpoint} within 30 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  return {
    endpoint,
    async createBucket(name) {
      const res = await fetch(`${endpoint}/storage/v1/b?project=rcdebug-test`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
      if (!res.ok && res.status !== 409) throw new Error(`fake-gcs-server: creating bucket ${name}: HTTP ${res.status} ${await res.text()}`);
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
