import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll } from 'vitest';
import { createLocalProvider } from '../../activities/providers/local/index';
import { stopProcess } from '../../activities/providers/local/teardown';
import { qemuProcessesWith } from '../../activities/providers/local/vm-state';
import { localArtifactStore } from '../../activities/artifacts/store';
import { localRegistry } from '../../activities/providers/local/registry';
import type { CloudProvider } from '../../src/domain/contract';
import type { CloudCycleResult } from '../../src/domain/cycle-state';
import type { RawCycleInput } from '../../src/domain/input';
import { cacheDir } from '../../src/domain/paths';
import { startCycle, testClient, uniqueQueue, withWorkers } from './engine';

/**
 * A real local cloud for end-to-end tests: state private to the test file (a temp home), the
 * kernel cache the machine's, so only the first run of a flavor builds its kernel. Registers
 * the hooks that create it and that leave no qemu of the file running.
 */
export function localE2e(): { provider: () => CloudProvider; client: () => Client; home: () => string } {
  let home: string;
  let provider: CloudProvider;
  let client: Client;
  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'rcdebug-e2e-'));
    provider = createLocalProvider({
      artifacts: localArtifactStore(join(home, 'artifacts')),
      registry: localRegistry(join(home, 'registry')),
      stateDir: join(home, 'local'),
      cacheDir: cacheDir(),
    });
    client = await testClient();
  });
  afterAll(async () => {
    // A failed or timed-out test may end before its cycle's teardown ran: nothing of this run
    // may keep running.
    if (home) for (const pid of qemuProcessesWith(`${home}/`)) await stopProcess(pid);
    await client?.connection.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });
  return { provider: () => provider, client: () => client, home: () => home };
}

/** Runs one local cycle of one flavor to its end; returns its cloudCycle child's result. */
export async function runLocalCycle(e2e: ReturnType<typeof localE2e>, name: string, input: Omit<RawCycleInput, 'taskQueue'> & { flavors: [RawCycleInput['flavors'] extends (infer F)[] | undefined ? F : never] }): Promise<CloudCycleResult> {
  const taskQueue = uniqueQueue(name);
  return withWorkers({ taskQueue, clouds: ['local'], providers: { local: e2e.provider() } }, async () => {
    const handle = await startCycle(e2e.client(), { clouds: ['local'], operatorTimeoutSeconds: 5, ...input, taskQueue });
    await handle.result();
    return (await e2e.client().workflow.getHandle(`${handle.workflowId}.local-${input.flavors[0]}`).result()) as CloudCycleResult;
  });
}
