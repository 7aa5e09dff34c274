/**
 * `rcdebug janitor ... --cloud gcp`: `sweep` removes what closed or expired cycles left
 * (instances, GKE clusters, images beyond retention and their registry records);
 * `schedule create|delete` runs the sweep from a Temporal Schedule. The Google SDKs are
 * imported only when a command runs.
 */
import type { StepIO } from '../../../src/domain/contract';
import { CLOUD_JANITOR_WORKFLOW, type CloudCommand, type CloudCommandOutput, type CloudJanitorInput, type JanitorActionRow } from '../../plugin';

function rowsOutput(rows: JanitorActionRow[], dry: boolean): CloudCommandOutput {
  if (rows.length === 0) return { json: rows, tables: [], lines: ['nothing to remove'] };
  const failed = rows.filter((a) => a.outcome === 'failed').length;
  return {
    json: rows,
    tables: [{ head: ['kind', 'id', 'cycle', 'why', 'outcome'], rows: rows.map((a) => [a.kind, a.id, a.cycle ?? '', a.reason, a.error ? `${a.outcome}: ${a.error}` : a.outcome]) }],
    lines: [`${dry ? 'would remove' : 'removed'} ${rows.length - failed}${failed ? `, ${failed} failed` : ''}`],
    exitCode: failed ? 1 : 0,
  };
}

async function temporal<T>(fn: (client: import('@temporalio/client').Client) => Promise<T>): Promise<T> {
  const { connectClient } = await import('../../temporal-connection');
  const client = await connectClient();
  try {
    return await fn(client);
  } finally {
    await client.connection.close();
  }
}

const zone = { flags: '--zone <zone>', description: 'zone of the workload groups (default RCDEBUG_GCP_ZONE)' };

export const gcpJanitorCommands: CloudCommand[] = [
  {
    path: ['sweep'],
    description: 'remove resources labelled managed-by=rcdebug whose cycle is closed or older than the TTL, and images beyond retention',
    options: [
      { flags: '--ttl <duration>', description: 'remove anything older than this, whatever its cycle, e.g. 24h', kind: 'duration', default: '24h' },
      zone,
      { flags: '--dry-run', description: 'list what would be removed, remove nothing', kind: 'flag' },
      { flags: '--no-temporal', description: 'do not ask Temporal which cycles are closed (the TTL alone decides)', kind: 'flag' },
    ],
    async run(_args, o, _io: StepIO) {
      const { runGcpJanitorSweep } = await import('./janitor-activity');
      const rows = await runGcpJanitorSweep({ ttlSeconds: (o.ttl as number) / 1000, zone: o.zone as string | undefined, dryRun: Boolean(o.dryRun), temporal: o.temporal !== false });
      return rowsOutput(rows, Boolean(o.dryRun));
    },
  },
  {
    path: ['schedule', 'create'],
    args: ['<scheduleId>'],
    description: `create a Temporal Schedule that starts the ${CLOUD_JANITOR_WORKFLOW} workflow of gcp periodically`,
    options: [
      { flags: '--every <interval>', description: 'how often, e.g. 6h', kind: 'duration', default: '6h' },
      { flags: '--ttl <duration>', description: 'remove anything older than this, whatever its cycle', kind: 'duration', default: '24h' },
      zone,
      { flags: '--task-queue <name>', description: 'base task queue (the sweep runs on <name>-gcp)', default: 'rcdebug' },
    ],
    async run([id], o) {
      const input: CloudJanitorInput = { cloud: 'gcp', sweep: { ttlSeconds: (o.ttl as number) / 1000, ...(o.zone ? { zone: o.zone } : {}) } };
      const { ScheduleOverlapPolicy } = await import('@temporalio/client');
      await temporal((client) => client.schedule.create({
        scheduleId: id as string,
        spec: { intervals: [{ every: o.every as number }] },
        action: { type: 'startWorkflow', workflowType: CLOUD_JANITOR_WORKFLOW, taskQueue: o.taskQueue as string, args: [input], workflowId: `janitor-${id}` },
        policies: { overlap: ScheduleOverlapPolicy.SKIP },
      }));
      return { json: { scheduleId: id, input }, tables: [], lines: [`created schedule ${id}: gcp janitor sweep every ${(o.every as number) / 3_600_000}h`] };
    },
  },
  {
    path: ['schedule', 'delete'],
    args: ['<scheduleId>'],
    description: 'delete a gcp janitor schedule',
    options: [],
    async run([id]) {
      await temporal((client) => client.schedule.getHandle(id as string).delete());
      return { json: { deleted: id }, tables: [], lines: [`deleted schedule ${id}`] };
    },
  },
];
