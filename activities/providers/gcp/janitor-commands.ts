/**
 * `rcdebug janitor ... --cloud gcp`: `sweep` removes what closed or expired cycles left
 * (instances, GKE clusters, images beyond retention and their registry records);
 * `schedule create|delete` runs the sweep from a Temporal Schedule. The Google SDKs are
 * imported only when a command runs.
 */
import type { StepIO } from '../../../src/domain/contract';
import { janitorActionsOutput, janitorScheduleCommands } from '../../janitor-commands';
import type { CloudCommand } from '../../plugin';

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
      return janitorActionsOutput(rows, Boolean(o.dryRun));
    },
  },
  ...janitorScheduleCommands('gcp', [zone], (o) => ({ ttlSeconds: (o.ttl as number) / 1000, ...(o.zone ? { zone: o.zone } : {}) })),
];
