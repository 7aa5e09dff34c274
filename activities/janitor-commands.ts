/**
 * What every cloud's janitor commands share, whatever the cloud: the table of actions a sweep
 * or a retention prints, whether a cycle is closed (asked of Temporal), and the
 * `schedule create|delete` commands that run a cloud's sweep from a Temporal Schedule through
 * the cloud-neutral `cloudJanitor` workflow. Temporal's client is imported only when a command runs.
 */
import type { Client } from '@temporalio/client';
import type { CloudName } from '../src/domain/contract';
import { UserError } from '../src/domain/errors';
import { CLOUD_JANITOR_WORKFLOW, type CloudCommand, type CloudCommandOption, type CloudCommandOutput, type CloudJanitorInput, type JanitorActionRow } from './plugin';

/** The actions as a table, a count line, and exit code 1 when one failed. */
export function janitorActionsOutput(actions: JanitorActionRow[], dry: boolean): CloudCommandOutput {
  if (actions.length === 0) return { json: actions, tables: [], lines: ['nothing to remove'] };
  const failed = actions.filter((a) => a.outcome === 'failed').length;
  return {
    json: actions,
    tables: [{ head: ['kind', 'id', 'cycle', 'why', 'outcome'], rows: actions.map((a) => [a.kind, a.id, a.cycle ?? '', a.reason, a.error ? `${a.outcome}: ${a.error}` : a.outcome]) }],
    lines: [`${dry ? 'would remove' : 'removed'} ${actions.filter((a) => a.outcome !== 'failed').length}${failed ? `, ${failed} failed` : ''}`],
    exitCode: failed ? 1 : 0,
  };
}

/** Whether a cycle's workflow is closed; undefined when Temporal cannot say (the TTL decides then). */
export function temporalClosed(client: Client | undefined) {
  return async (cycleId: string): Promise<boolean | undefined> => {
    if (!client) return undefined;
    const { WorkflowNotFoundError } = await import('@temporalio/client');
    try {
      return (await client.workflow.getHandle(cycleId).describe()).status.name !== 'RUNNING';
    } catch (err) {
      // Past the namespace's retention a closed cycle is forgotten: it runs no more.
      if (err instanceof WorkflowNotFoundError) return true;
      return undefined;
    }
  };
}

async function withTemporal<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const { connectClient } = await import('./temporal-connection');
  const client = await connectClient();
  try {
    return await fn(client);
  } finally {
    await client.connection.close();
  }
}

/**
 * `schedule create <id>` and `schedule delete <id>` for `cloud`'s janitor; `sweepInput` turns
 * the parsed options (`ttl` in milliseconds and `extra`'s) into the sweep activity's input.
 */
export function janitorScheduleCommands(cloud: CloudName, extra: CloudCommandOption[], sweepInput: (o: Record<string, unknown>) => Record<string, unknown>): CloudCommand[] {
  const create: CloudCommand = {
    path: ['schedule', 'create'],
    args: ['<scheduleId>'],
    description: `create a Temporal Schedule that starts the ${CLOUD_JANITOR_WORKFLOW} workflow of ${cloud} periodically`,
    options: [
      { flags: '--every <interval>', description: 'how often, e.g. 6h', kind: 'duration', default: '6h' },
      { flags: '--ttl <duration>', description: 'remove anything older than this, whatever its cycle', kind: 'duration', default: '24h' },
      ...extra,
      { flags: '--task-queue <name>', description: `base task queue (the sweep runs on <name>-${cloud})`, default: 'rcdebug' },
    ],
    async run([id], o) {
      const input: CloudJanitorInput = { cloud, sweep: sweepInput(o) };
      const { ScheduleOverlapPolicy } = await import('@temporalio/client');
      await withTemporal((client) =>
        client.schedule.create({
          scheduleId: id as string,
          spec: { intervals: [{ every: o.every as number }] },
          action: { type: 'startWorkflow', workflowType: CLOUD_JANITOR_WORKFLOW, taskQueue: o.taskQueue as string, args: [input], workflowId: `janitor-${id}` },
          policies: { overlap: ScheduleOverlapPolicy.SKIP },
        }),
      );
      const hours = (ms: number) => `${+(ms / 3_600_000).toFixed(2)}h`;
      return { json: { scheduleId: id, input }, tables: [], lines: [`created schedule ${id}: ${cloud} janitor sweep every ${hours(o.every as number)}, TTL ${hours(o.ttl as number)}`] };
    },
  };
  const remove: CloudCommand = {
    path: ['schedule', 'delete'],
    args: ['<scheduleId>'],
    description: 'delete a janitor schedule',
    options: [],
    async run([id]) {
      const { ScheduleNotFoundError } = await import('@temporalio/client');
      await withTemporal(async (client) => {
        try {
          await client.schedule.getHandle(id as string).delete();
        } catch (err) {
          if (err instanceof ScheduleNotFoundError) throw new UserError(`no schedule "${id}"`, 'scheduleId', 'list them with `rcdebug schedule list`');
          throw err;
        }
      });
      return { json: { deleted: id }, tables: [], lines: [`deleted schedule ${id}`] };
    },
  };
  return [create, remove];
}
