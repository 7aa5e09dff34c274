/**
 * Engine test files record the histories of the cycle each test started (when
 * RCDEBUG_RECORD_HISTORIES=1), named after the test, so the replay test keeps them replaying.
 */
import { afterEach } from 'vitest';
import { testClient } from '../support/engine';
import { recordHistories } from '../support/histories';

/** Registers the recording; returns the function a test passes its task queue through. */
export function recordCyclesAfterEach(): (taskQueue: string) => string {
  let lastQueue: string | undefined;
  afterEach(async (ctx) => {
    if (!lastQueue) return;
    const client = await testClient();
    const name = ctx.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
    await recordHistories(client, name, [`${lastQueue}-cycle`, `${lastQueue}-cycle.local-kasan`]);
    lastQueue = undefined;
  });
  return (taskQueue) => (lastQueue = taskQueue);
}
