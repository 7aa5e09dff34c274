/**
 * `rcdebug janitor ... --cloud azure`: `sweep` removes the resource groups of closed or expired
 * cycles, `schedule create|delete` runs the sweep from a Temporal Schedule, `retention` keeps the
 * last N builds per flavor (gallery versions and registry keys). The Azure SDK is imported only
 * when a command runs.
 */
import type { Flavor, StepIO } from '../../../src/domain/contract';
import { janitorActionsOutput, janitorScheduleCommands } from '../../janitor-commands';
import type { CloudCommand } from '../../plugin';

const dryRun = { flags: '--dry-run', description: 'list what would be removed, remove nothing', kind: 'flag' as const };

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
    return janitorActionsOutput(await runJanitorSweep(input, { io }), Boolean(o.dryRun));
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
    return janitorActionsOutput(actions, Boolean(o.dryRun));
  },
};

/** The janitor commands of the azure cloud. */
export const azureJanitorCommands: CloudCommand[] = [
  sweep,
  ...janitorScheduleCommands('azure', [], (o) => ({ ttlSeconds: (o.ttl as number) / 1000 })),
  retention,
];
