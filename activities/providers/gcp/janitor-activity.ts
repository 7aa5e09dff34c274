/**
 * The gcp janitor sweep as one callable unit: for `rcdebug janitor sweep --cloud gcp` and for
 * the activity a Temporal Schedule runs (`rcdebug janitor schedule create --cloud gcp`). A
 * cycle is closed when Temporal runs no workflow whose id maps to its label; when Temporal
 * cannot be reached, the TTL alone decides.
 */
import type { Client } from '@temporalio/client';
import { checkSweepTtl, janitorSweepActivity, quietIO, sweepTemporal } from '../../janitor-activity';
import type { JanitorActionRow, JanitorActivities } from '../../plugin';
import { defaultConnect } from './deps';
import { dropRecordsOf, gcpSweep } from './janitor';
import { UserError } from '../../../src/domain/errors';
import { labelValue } from './names';
import { gcpProviderOptions, requireBucket, type GcpProviderOptions } from './options';

export interface GcpJanitorInput {
  ttlSeconds: number;
  zone?: string | undefined;
  dryRun?: boolean | undefined;
  temporal?: boolean | undefined;
}

/** The labels of the cycles Temporal still runs; undefined when it cannot be asked. */
async function openCycleLabels(client: Client | undefined): Promise<Set<string> | undefined> {
  if (!client) return undefined;
  try {
    const open = new Set<string>();
    for await (const wf of client.workflow.list({ query: 'ExecutionStatus = "Running"' })) open.add(labelValue(wf.workflowId));
    return open;
  } catch {
    return undefined;
  }
}

export async function runGcpJanitorSweep(input: GcpJanitorInput, overrides: { options?: Partial<GcpProviderOptions>; client?: Client } = {}): Promise<JanitorActionRow[]> {
  checkSweepTtl(input.ttlSeconds);
  const opts = gcpProviderOptions(overrides.options);
  const zone = input.zone ?? opts.zone;
  if (!zone) throw new UserError('the janitor needs a zone: pass --zone or set RCDEBUG_GCP_ZONE', '--zone');
  const temporal = await sweepTemporal(input.temporal, overrides.client, quietIO);
  const open = await openCycleLabels(temporal.client);
  const clients = await defaultConnect(opts);
  try {
    const rows = await gcpSweep(clients, {
      zone, ttlMs: input.ttlSeconds * 1000, retention: opts.imageRetention, dryRun: input.dryRun,
      isClosed: async (label) => (open ? !open.has(label) : undefined),
    });
    const removed = rows.filter((r) => r.kind === 'image' && r.outcome === 'removed').map((r) => r.id);
    return [...rows, ...(await dropRecordsOf(clients, requireBucket(opts), removed))];
  } finally {
    await clients.close();
    await temporal.close();
  }
}

/** The janitor's activity, registered by the gcp worker next to the step activities; `cloudJanitor` calls it. */
export function createGcpJanitorActivities(): JanitorActivities {
  return janitorSweepActivity(runGcpJanitorSweep);
}
