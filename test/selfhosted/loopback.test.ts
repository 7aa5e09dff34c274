/**
 * The self-hosted server as a developer runs it on one machine: PostgreSQL and the server on
 * loopback, on free ports, no TLS; a worker in this process runs a cycle on it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import { afterAll, describe, expect, it } from 'vitest';
import { connectWorker, settingsFromEnv } from '../../activities/temporal-connection';
import { createWorkers } from '../../src/app/worker/create-workers';
import { ensureSearchAttributes } from '../../src/app/client/ensure-search-attributes';
import { startCycle, uniqueQueue } from '../support/engine';
import { scriptedProvider, stepsCalled } from '../support/scripted-provider';
import { connectTo, startSelfHostedServer, type SelfHostedServer } from '../support/temporal-server';

const dir = mkdtempSync(join(tmpdir(), 'rcdebug-loopback-'));
let server: SelfHostedServer | undefined;
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the self-hosted server on loopback', () => {
  it('serves PostgreSQL and the server on free loopback ports, and runs a cycle', async () => {
    server = await startSelfHostedServer({ dir });
    expect(server.address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(server.address).not.toBe('127.0.0.1:7233');
    const conn = await connectTo(server);
    expect(await ensureSearchAttributes(conn, server.namespace)).toEqual([]);
    const client = new Client({ connection: conn, namespace: server.namespace });
    const taskQueue = uniqueQueue('loopback');
    const local = scriptedProvider();
    const connection = await connectWorker(settingsFromEnv({ ...server.clientEnv }));
    const set = await createWorkers({ connection, namespace: server.namespace, taskQueue, clouds: ['local'], providers: { local } });
    const running = set.run();
    try {
      const h = await startCycle(client, { rc: 'v6.0.0-rc1', taskQueue, soak: { durationSeconds: 1, checkIntervalSeconds: 1, scanIntervalSeconds: 0 } });
      expect((await h.result()).verdict).toBe('clean');
      expect(stepsCalled(local.calls)).toEqual(['kernel-build', 'image-bake', 'version-publish', 'cluster-provision', 'deploy', 'log-harvest', 'teardown']);
    } finally {
      set.shutdown();
      await running;
      await connection.close();
      await conn.close();
    }
  });
});
