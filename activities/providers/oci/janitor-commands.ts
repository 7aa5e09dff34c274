/**
 * `rcdebug janitor ... --cloud oci`: `sweep` removes what closed or expired cycles left (see
 * ./janitor.ts), `schedule create` runs the sweep from a Temporal Schedule. The OCI SDK is
 * imported only when a command runs.
 */
import type { StepIO } from '../../../src/domain/contract';
import { CLOUD_JANITOR_WORKFLOW, type CloudCommand, type CloudJanitorInput, type JanitorActionRow } from '../../plugin';

const ttl = { flags: '--ttl <duration>', description: 'remove anything older than this, whatever its cycle, e.g. 24h', kind: 'duration', default: '24h' } as const;

const sweep: CloudCommand = {
  path: ['sweep'],
  description: 'remove OKE clusters, node pools, images beyond retention and their registry records of closed or expired cycles (freeform tag rcdebug-cycle)',
  options: [
    ttl,
    { flags: '--dry-run', description: 'list what would be removed, remove nothing', kind: 'flag' },
    { flags: '--no-temporal', description: 'do not ask Temporal which cycles are closed (the TTL alone decides)', kind: 'flag' },
    { flags: '--no-terraform', description: 'delete with the OCI API only, without terraform destroy of the workspace', kind: 'flag' },
  ],
  async run(_args, o, io: StepIO) {
    const { runOciSweep } = await import('./janitor');
    const rows: JanitorActionRow[] = await runOciSweep({ ttlSeconds: (o.ttl as number) / 1000, dryRun: Boolean(o.dryRun), temporal: o.temporal as boolean, terraform: o.terraform as boolean }, { io });
    const failed = rows.filter((a) => a.outcome === 'failed').length;
    return {
      json: rows,
      tables: rows.length ? [{ head: ['kind', 'id', 'cycle', 'why', 'outcome'], rows: rows.map((a) => [a.kind, a.id, a.cycle ?? '', a.reason, a.error ? `${a.outcome}: ${a.error}` : a.outcome]) }] : [],
      lines: [rows.length ? `${o.dryRun ? 'would remove' : 'removed'} ${rows.length - failed}${failed ? `, ${failed} failed` : ''}` : 'nothing to remove'],
      exitCode: failed ? 1 : 0,
    };
  },
};

const scheduleCreate: CloudCommand = {
  path: ['schedule', 'create'],
  args: ['<scheduleId>'],
  description: `create a Temporal Schedule that starts the ${CLOUD_JANITOR_WORKFLOW} workflow of oci periodically`,
  options: [
    { flags: '--every <interval>', description: 'how often, e.g. 6h', kind: 'duration', default: '6h' },
    ttl,
    { flags: '--task-queue <name>', description: 'base task queue (the sweep runs on <name>-oci)', default: 'rcdebug' },
  ],
  async run([id], o) {
    const input: CloudJanitorInput = { cloud: 'oci', sweep: { ttlSeconds: (o.ttl as number) / 1000 } };
    const { ScheduleOverlapPolicy } = await import('@temporalio/client');
    const { connectClient } = await import('../../temporal-connection');
    const client = await connectClient();
    try {
      await client.schedule.create({
        scheduleId: id as string,
        spec: { intervals: [{ every: o.every as number }] },
        action: { type: 'startWorkflow', workflowType: CLOUD_JANITOR_WORKFLOW, taskQueue: o.taskQueue as string, args: [input], workflowId: `janitor-${id}` },
        policies: { overlap: ScheduleOverlapPolicy.SKIP },
      });
    } finally {
      await client.connection.close();
    }
    return { json: { scheduleId: id, input }, tables: [], lines: [`created schedule ${id}: oci janitor sweep every ${(o.every as number) / 3_600_000}h`] };
  },
};

export const ociJanitorCommands: CloudCommand[] = [sweep, scheduleCreate];
