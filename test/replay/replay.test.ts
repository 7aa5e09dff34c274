import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { expect, it } from 'vitest';
import { workflowBundle } from '../../src/app/worker/create-workers';
import { historiesDir } from '../support/histories';

it('every recorded history replays against the current workflow code', async () => {
  // Histories of earlier workflow versions stay in subfolders (v1/, ...): running cycles of
  // those versions must keep replaying after a change.
  const files = readdirSync(historiesDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json'));
  // The engine scenarios record at least a dozen cycles per version; fewer means recordings were lost.
  expect(files.length).toBeGreaterThanOrEqual(28);
  const histories = files.map((f) => JSON.parse(readFileSync(join(historiesDir, f), 'utf8')) as { workflowId: string; history: unknown });
  const failures: string[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories)) {
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  expect(failures).toEqual([]);
}, 300_000);
