/**
 * `rcdebug janitor ... --cloud oci`: `sweep` removes what closed or expired cycles left (see
 * ./janitor.ts), `schedule create|delete` runs the sweep from a Temporal Schedule. The OCI SDK is
 * imported only when a command runs.
 */
import type { StepIO } from '../../../src/domain/contract';
import { janitorActionsOutput, janitorScheduleCommands } from '../../janitor-commands';
import type { CloudCommand, JanitorActionRow } from '../../plugin';

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
    return janitorActionsOutput(rows, Boolean(o.dryRun));
  },
};

export const ociJanitorCommands: CloudCommand[] = [sweep, ...janitorScheduleCommands('oci', [], (o) => ({ ttlSeconds: (o.ttl as number) / 1000 }))];
