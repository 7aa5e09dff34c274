/**
 * `rcdebug janitor ... --cloud azure`: `sweep` removes the resource groups of closed or expired
 * cycles, `schedule create|delete` runs the sweep from a Temporal Schedule, `retention` keeps the
 * last N builds per flavor (gallery versions and registry keys). The Azure SDK is imported only
 * when a command runs.
 */
import type { Flavor, StepIO } from '../../../src/domain/contract';
import { UserError } from '../../../src/domain/errors';
import { CLOUD_JANITOR_WORKFLOW, type CloudCommand, type CloudCommandOutput, type CloudJanitorInput, type JanitorActionRow } from '../../plugin';

const dryRun = { flags: '--dry-run', description: 'list what would be removed, remove nothing', kind: 'flag' as const };

function actionsOutput(actions: JanitorActionRow[], dry: boolean): CloudCommandOutput {
  if (actions.length === 0) return { json: actions, tables: [], lines: ['nothing to remove'] };
  const failed = actions.filter((a) => a.outcome === 'failed').length;
  return {
    json: actions,
    tables: [{ head: ['kind', 'id', 'cycle', 'why', 'outcome'], rows: actions.map((a) => [a.kind, a.id, a.cycle ?? '', a.reason, a.error ? `${a.outcome}: ${a.error}` : a.outcome]) }],
    lines: [`${dry ? 'would remove' : 'removed'} ${actions.filter((a) => a.outcome !== 'failed').length}${failed ? `, ${failed} failed` : ''}`],
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

const sweep: CloudCommand = {
  path: ['sweep'],
  description: 'remove the resource groups tagged rcdebug-cycle whose cycle is closed or older than the TTL',
  options: [
    { flags: '--ttl <duration>', description: 'remove anything older than this, whatever its cycle, e.g. 24h', kind: 'duration', default: '24h' },
    dryRun,
    { flags: '--no-temporal', description: 'do not ask Temporal which cycles are closed (the TTL alone decides)', kind: 'flag' },
    { flags: '--no-terraform', description: 'delete the groups without terraform destroy of the workspace first', kind: 'flag' },
  ],
  async run(_args, o, io: StepIO) {
    const { runJanitorSweep } = await import('./janitor-activity');
    const input = { ttlSeconds: (o.ttl as number) / 1000, dryRun: o.dryRun as boolean | undefined, temporal: o.temporal as boolean, terraform: o.terraform as boolean };
    return actionsOutput(await runJanitorSweep(input, { io }), Boolean(o.dryRun));
  },
};

const scheduleCreate: CloudCommand = {
  path: ['schedule', 'create'],
  args: ['<scheduleId>'],
  description: `create a Temporal Schedule that starts the ${CLOUD_JANITOR_WORKFLOW} workflow of azure periodically`,
  options: [
    { flags: '--every <interval>', description: 'how often, e.g. 6h', kind: 'duration', default: '6h' },
    { flags: '--ttl <duration>', description: 'remove anything older than this, whatever its cycle', kind: 'duration', default: '24h' },
    { flags: '--task-queue <name>', description: 'base task queue (the sweep runs on <name>-azure)', default: 'rcdebug' },
  ],
  async run([id], o) {
    const input: CloudJanitorInput = { cloud: 'azure', sweep: { ttlSeconds: (o.ttl as number) / 1000 } };
    const { ScheduleOverlapPolicy } = await import('@temporalio/client');
    await temporal((client) =>
      client.schedule.create({
        scheduleId: id as string,
        spec: { intervals: [{ every: o.every as number }] },
        action: { type: 'startWorkflow', workflowType: CLOUD_JANITOR_WORKFLOW, taskQueue: o.taskQueue as string, args: [input], workflowId: `janitor-${id}` },
        policies: { overlap: ScheduleOverlapPolicy.SKIP },
      }),
    );
    const hours = (ms: number) => `${+(ms / 3_600_000).toFixed(2)}h`;
    return { json: { scheduleId: id, input }, tables: [], lines: [`created schedule ${id}: azure janitor sweep every ${hours(o.every as number)}, TTL ${hours(o.ttl as number)}`] };
  },
};

const scheduleDelete: CloudCommand = {
  path: ['schedule', 'delete'],
  args: ['<scheduleId>'],
  description: 'delete a janitor schedule',
  options: [],
  async run([id]) {
    const { ScheduleNotFoundError } = await import('@temporalio/client');
    await temporal(async (client) => {
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

const retention: CloudCommand = {
  path: ['retention'],
  description: 'keep the last N published builds per flavor; older ones lose their gallery version and App Configuration keys',
  options: [
    { flags: '--keep <n>', description: 'records to keep per flavor (the one latest points at is always kept)', kind: 'count', required: true },
    { flags: '--flavor <list>', description: 'flavors, comma separated (default every flavor)', kind: 'flavors' },
    dryRun,
  ],
  async run(_args, o) {
    const [{ retention: keepLast }, { connectAzure }, { azureProviderOptions }] = await Promise.all([import('./janitor'), import('./config'), import('./options')]);
    const opts = azureProviderOptions();
    const actions = await keepLast(await connectAzure(opts), opts, { keep: o.keep as number, flavors: o.flavor as Flavor[], dryRun: o.dryRun as boolean | undefined });
    return actionsOutput(actions, Boolean(o.dryRun));
  },
};

/** The janitor commands of the azure cloud. */
export const azureJanitorCommands: CloudCommand[] = [sweep, scheduleCreate, scheduleDelete, retention];
