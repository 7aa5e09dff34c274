import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { expect, it } from 'vitest';
import { workflowBundle } from '../../src/worker/create-workers';
import { historiesDir } from '../support/histories';

it('every recorded history replays against the current workflow code', async () => {
  const files = readdirSync(historiesDir).filter((f) => f.endsWith('.json'));
  // The engine scenarios record at least a dozen cycles; fewer means the recordings were lost.
  expect(files.length).toBeGreaterThanOrEqual(12);
  const histories = files.map((f) => JSON.parse(readFileSync(join(historiesDir, f), 'utf8')) as { workflowId: string; history: unknown });
  const failures: string[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories)) {
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  expect(failures).toEqual([]);
}, 300_000);
