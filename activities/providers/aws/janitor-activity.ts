/**
 * The janitor sweep as one callable unit: for `rcdebug janitor sweep` and for the activity a
 * Temporal Schedule runs (`rcdebug janitor schedule create`). Cycles are judged closed by
 * asking Temporal; when it cannot be reached, the TTL alone decides.
 */
import type { Client } from '@temporalio/client';
import { checkSweepTtl, janitorSweepActivity, quietIO, sweepTemporal } from '../../janitor-activity';
import { temporalClosed } from '../../janitor-commands';
import { connectAws } from './config';
import { sweep, type JanitorAction } from './janitor';
import type { JanitorActivities } from '../../plugin';
import type { StepIO } from '../../../src/domain/contract';
import { awsProviderOptions, type AwsProviderOptions } from './options';
import { destroyCycleWorkspace } from './teardown';

export interface JanitorSweepInput {
  /** Resources older than this are removed whatever their cycle's state. */
  ttlSeconds: number;
  region?: string | undefined;
  dryRun?: boolean | undefined;
  /** Ask Temporal which cycles are closed (default true). */
  temporal?: boolean | undefined;
  /** terraform destroy of each workspace first (default true when a state bucket is set). */
  terraform?: boolean | undefined;
}

/** Sweeps the resources of closed or expired cycles; returns what it did. */
export async function runJanitorSweep(
  input: JanitorSweepInput,
  overrides: { options?: Partial<AwsProviderOptions>; client?: Client; io?: StepIO } = {},
): Promise<JanitorAction[]> {
  checkSweepTtl(input.ttlSeconds);
  const opts = awsProviderOptions(overrides.options);
  const io = overrides.io ?? quietIO;
  const temporal = await sweepTemporal(input.temporal, overrides.client, io);
  const clients = await connectAws({ region: input.region ?? opts.region, field: 'region' });
  try {
    const useTerraform = input.terraform !== false && Boolean(opts.stateBucket ?? opts.bucket);
    return await sweep(clients, {
      ttlMs: input.ttlSeconds * 1000,
      dryRun: input.dryRun,
      isClosed: temporalClosed(temporal.client),
      destroyWorkspace: useTerraform
        ? (cycleId) => destroyCycleWorkspace({ cycleId, rc: 'janitor', flavor: 'janitor' }, clients.config.region, opts, io)
        : undefined,
    });
  } finally {
    clients.destroy();
    await temporal.close();
  }
}

/** The janitor's activity, registered by the aws worker next to the step activities; `cloudJanitor` calls it. */
export function createAwsJanitorActivities(): JanitorActivities {
  return janitorSweepActivity(runJanitorSweep);
}
