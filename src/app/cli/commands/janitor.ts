import { ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import type { Command } from 'commander';
import { JANITOR_WORKFLOW, runJanitorSweep, type JanitorSweepInput } from '../../../../activities/providers/aws/janitor-activity';
import { connectAws, type AwsClients } from '../../../../activities/providers/aws/config';
import { retention, type JanitorAction } from '../../../../activities/providers/aws/janitor';
import { connectClient } from '../../../../activities/temporal-connection';
import { parseInterval } from '../../client/schedule-spec';
import { FLAVORS, type Flavor } from '../../../domain/contract';
import { UserError } from '../../../domain/errors';
import { ssmRegistry } from '../../../../activities/providers/aws/ssm-registry';
import { intOption } from '../options';
import { printJson, table } from '../output';

function flavorsOf(text: string | undefined): Flavor[] {
  const list = (text ?? FLAVORS.join(',')).split(',').map((f) => f.trim()).filter(Boolean);
  for (const f of list) if (!(FLAVORS as readonly string[]).includes(f)) throw new UserError(`--flavor ${f} is not one of ${FLAVORS.join(', ')}`, '--flavor');
  return list as Flavor[];
}

function printActions(actions: JanitorAction[], json: boolean | undefined, dryRun: boolean | undefined): void {
  if (json) return printJson(actions);
  if (actions.length === 0) {
    process.stdout.write('nothing to remove\n');
    return;
  }
  process.stdout.write(`${table(['kind', 'id', 'cycle', 'why', 'outcome'], actions.map((a) => [a.kind, a.id, a.cycle ?? '', a.reason, a.error ? `${a.outcome}: ${a.error}` : a.outcome]))}\n`);
  const failed = actions.filter((a) => a.outcome === 'failed').length;
  process.stdout.write(`${dryRun ? 'would remove' : 'removed'} ${actions.filter((a) => a.outcome !== 'failed').length}${failed ? `, ${failed} failed` : ''}\n`);
  if (failed) process.exitCode = 1;
}

async function withAws<T>(region: string | undefined, fn: (c: AwsClients) => Promise<T>): Promise<T> {
  const clients = await connectAws({ region, field: '--region' });
  try {
    return await fn(clients);
  } finally {
    clients.destroy();
  }
}

/**
 * `rcdebug janitor ...`: what the aws cloud left behind. `sweep` removes the resources of
 * closed or expired cycles (terraform destroy of the workspace first, then whatever is still
 * tagged), `retention` keeps the last N builds per flavor, `registry` lists and `rollback`
 * moves the `latest` pointer.
 */
export function registerJanitorCommands(program: Command): void {
  const janitor = program.command('janitor').description('clean up what the aws cloud left behind; registry retention and rollback');

  janitor
    .command('sweep')
    .description('remove resources tagged rcdebug:cycle whose cycle is closed or older than the TTL')
    .option('--ttl <duration>', 'remove anything older than this, whatever its cycle, e.g. 24h', '24h')
    .option('--region <region>', 'AWS region (default AWS_REGION)')
    .option('--dry-run', 'list what would be removed, remove nothing')
    .option('--no-temporal', 'do not ask Temporal which cycles are closed (the TTL alone decides)')
    .option('--no-terraform', 'delete with the AWS API only, without terraform destroy of the workspace')
    .option('--json', 'as JSON')
    .action(async (o: { ttl: string; region?: string; dryRun?: boolean; temporal: boolean; terraform: boolean; json?: boolean }) => {
      const ttlMs = parseInterval(o.ttl);
      if (ttlMs === undefined) throw new UserError(`--ttl "${o.ttl}" is not a duration such as 12h or 2d`, '--ttl');
      const io = { progress: (p: { message: string }) => process.stderr.write(`rcdebug: ${p.message}\n`), signal: new AbortController().signal, attempt: 1 };
      const actions = await runJanitorSweep({ ttlSeconds: ttlMs / 1000, region: o.region, dryRun: o.dryRun, temporal: o.temporal, terraform: o.terraform }, { io });
      printActions(actions, o.json, o.dryRun);
    });

  const schedule = janitor.command('schedule').description('a Temporal Schedule that runs the sweep periodically on the aws worker');
  schedule
    .command('create <scheduleId>')
    .description(`create a schedule that starts the ${JANITOR_WORKFLOW} workflow`)
    .option('--every <interval>', 'how often, e.g. 6h', '6h')
    .option('--ttl <duration>', 'remove anything older than this, whatever its cycle', '24h')
    .option('--region <region>', 'AWS region (default the worker\'s AWS_REGION)')
    .option('--task-queue <name>', 'base task queue (the sweep runs on <name>-aws)', 'rcdebug')
    .action(async (id: string, o: { every: string; ttl: string; region?: string; taskQueue: string }) => {
      const every = parseInterval(o.every);
      if (every === undefined) throw new UserError(`--every "${o.every}" is not an interval such as 6h`, '--every');
      const ttlMs = parseInterval(o.ttl);
      if (ttlMs === undefined) throw new UserError(`--ttl "${o.ttl}" is not a duration such as 12h or 2d`, '--ttl');
      const input: JanitorSweepInput = { ttlSeconds: ttlMs / 1000, ...(o.region ? { region: o.region } : {}) };
      const client = await connectClient();
      try {
        await client.schedule.create({
          scheduleId: id,
          spec: { intervals: [{ every }] },
          action: { type: 'startWorkflow', workflowType: JANITOR_WORKFLOW, taskQueue: o.taskQueue, args: [input], workflowId: `janitor-${id}` },
          policies: { overlap: ScheduleOverlapPolicy.SKIP },
        });
      } finally {
        await client.connection.close();
      }
      process.stdout.write(`created schedule ${id}: janitor sweep every ${o.every}, TTL ${o.ttl}\n`);
    });
  schedule
    .command('delete <scheduleId>')
    .description('delete a janitor schedule')
    .action(async (id: string) => {
      const client = await connectClient();
      try {
        await client.schedule.getHandle(id).delete();
      } catch (err) {
        if (err instanceof ScheduleNotFoundError) throw new UserError(`no schedule "${id}"`, 'scheduleId', 'list them with `rcdebug schedule list`');
        throw err;
      } finally {
        await client.connection.close();
      }
      process.stdout.write(`deleted schedule ${id}\n`);
    });

  janitor
    .command('retention')
    .description('keep the last N published builds per flavor; older records lose their SSM parameters, AMI and snapshots')
    .requiredOption('--keep <n>', 'records to keep per flavor (the one latest points at is always kept)')
    .option('--flavor <list>', `flavors, comma separated (default ${FLAVORS.join(',')})`)
    .option('--region <region>', 'AWS region (default AWS_REGION)')
    .option('--dry-run', 'list what would be removed, remove nothing')
    .option('--json', 'as JSON')
    .action(async (o: { keep: string; flavor?: string; region?: string; dryRun?: boolean; json?: boolean }) => {
      const keep = intOption(o.keep, '--keep', 1);
      const flavors = flavorsOf(o.flavor);
      await withAws(o.region, async (clients) => printActions(await retention(clients, { keep, flavors, dryRun: o.dryRun }), o.json, o.dryRun));
    });

  janitor
    .command('registry')
    .description('list the published builds of each flavor, oldest first, and where latest points')
    .option('--flavor <list>', `flavors, comma separated (default ${FLAVORS.join(',')})`)
    .option('--region <region>', 'AWS region (default AWS_REGION)')
    .option('--json', 'as JSON')
    .action(async (o: { flavor?: string; region?: string; json?: boolean }) => {
      const flavors = flavorsOf(o.flavor);
      await withAws(o.region, async (clients) => {
        const registry = ssmRegistry(clients.ssm);
        const out = [];
        for (const flavor of flavors) {
          out.push({ flavor, latest: (await registry.latest('aws', flavor))?.inputDigest, records: await registry.history('aws', flavor), latestHistory: await registry.latestHistory('aws', flavor) });
        }
        if (o.json) return printJson(out);
        for (const f of out) {
          process.stdout.write(`${f.flavor}:\n`);
          process.stdout.write(`${table(['created', 'rc', 'kernel', 'digest', 'image', ''], f.records.map((r) => [r.createdAt, r.rc, r.kernelRelease, r.inputDigest, r.imageId, r.inputDigest === f.latest ? 'latest' : '']))}\n`);
        }
      });
    });

  janitor
    .command('rollback')
    .description('point latest of a flavor back at an earlier build')
    .requiredOption('--flavor <flavor>', 'flavor')
    .requiredOption('--digest <digest>', 'input digest of the build (see `rcdebug janitor registry`)')
    .option('--region <region>', 'AWS region (default AWS_REGION)')
    .action(async (o: { flavor: string; digest: string; region?: string }) => {
      const [flavor] = flavorsOf(o.flavor);
      await withAws(o.region, async (clients) => {
        await ssmRegistry(clients.ssm).rollback('aws', flavor!, o.digest);
        process.stdout.write(`latest of aws/${flavor} now points at ${o.digest}\n`);
      });
    });
}
