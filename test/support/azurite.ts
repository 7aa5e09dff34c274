/**
 * Azurite's Blob Storage emulator for tests (the npm package, resolved through the tool table),
 * on a free loopback port with its data in a temp folder, one per test file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveTool } from '../../scripts/toolchain.mjs';
import { AZURITE_ACCOUNT, AZURITE_KEY } from '../fixtures/azure-standins/arm-standin.mjs';
import { freePort } from './moto';

export interface Azurite {
  /** `http://127.0.0.1:<port>/devstoreaccount1` */
  blobEndpoint: string;
  /** A connection string of the well-known development account. */
  connectionString: string;
  stop(): Promise<void>;
}

/** A connection string for a blob endpoint of the development account (Azurite, or a proxy in front of it). */
export function azuriteConnectionString(blobEndpoint: string): string {
  return `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${blobEndpoint};`;
}

export async function startAzurite(): Promise<Azurite> {
  const bin = resolveTool('azurite-blob').path;
  const dir = mkdtempSync(join(tmpdir(), 'rcdebug-azurite-'));
  const port = await freePort();
  const child: ChildProcess = spawn(bin, ['--blobHost', '127.0.0.1', '--blobPort', String(port), '--location', dir, '--silent', '--skipApiVersionCheck', '--loose'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const blobEndpoint = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`azurite-blob exited with ${child.exitCode}: ${stderr}`);
    try {
      // Any HTTP answer means it listens (an unsigned request gets 403).
      await fetch(`${blobEndpoint}?comp=list`);
      break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`azurite-blob did not answer on ${blobEndpoint} within 60 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    blobEndpoint,
    connectionString: azuriteConnectionString(blobEndpoint),
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
