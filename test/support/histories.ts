/**
 * Recorded workflow histories: engine tests save the histories of the cycles they ran when
 * RCDEBUG_RECORD_HISTORIES=1, and the replay test replays every saved one against the current
 * workflow code, so a change that breaks determinism fails CI instead of running cycles.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';

export const historiesDir = join(import.meta.dirname, '..', 'histories');

/** Saves the histories of a cycle and its children as `<name>.<workflow type>.json`. */
export async function recordHistories(client: Client, name: string, workflowIds: string[]): Promise<void> {
  if (process.env.RCDEBUG_RECORD_HISTORIES !== '1') return;
  mkdirSync(historiesDir, { recursive: true });
  for (const [i, id] of workflowIds.entries()) {
    const history = await client.workflow.getHandle(id).fetchHistory().catch(() => undefined);
    // A cycle refused before it started children has no child history to keep.
    if (!history) continue;
    // The id is part of what replays: child ids are derived from the parent's.
    writeFileSync(join(historiesDir, `${name}.${i}.json`), JSON.stringify({ workflowId: id, history: JSON.parse(historyToJSON(history)) as unknown }));
  }
}
