/**
 * The azure janitor sweep as one callable unit: for `rcdebug janitor sweep --cloud azure` and
 * for the activity a Temporal Schedule runs. Cycles are judged closed by asking Temporal; when
 * it cannot be reached, the TTL alone decides.
 */
import type { Client } from '@temporalio/client';
import type { StepIO } from '../../../src/domain/contract';
import { checkSweepTtl, janitorSweepActivity, quietIO, sweepTemporal } from '../../janitor-activity';
import { temporalClosed } from '../../janitor-commands';
import type { JanitorActivities } from '../../plugin';
import { connectAzure, type ConnectOptions } from './config';
import { sweep, type JanitorAction } from './janitor';
import { azureProviderOptions, type AzureProviderOptions } from './options';
import { destroyCycleWorkspace } from './terraform';

export interface JanitorSweepInput {
  ttlSeconds: number;
  dryRun?: boolean | undefined;
  /** Ask Temporal which cycles are closed (default true). */
  temporal?: boolean | undefined;
  /** terraform destroy of each workspace before its group is deleted (default true). */
  terraform?: boolean | undefined;
}

/** Sweeps the resource groups of closed or expired cycles; returns what it did. */
export async function runJanitorSweep(
  input: JanitorSweepInput,
  overrides: { options?: Partial<AzureProviderOptions>; client?: Client; io?: StepIO; connect?: ConnectOptions } = {},
): Promise<JanitorAction[]> {
  checkSweepTtl(input.ttlSeconds);
  const opts = azureProviderOptions(overrides.options);
  const io = overrides.io ?? quietIO;
  const temporal = await sweepTemporal(input.temporal, overrides.client, io);
  try {
    const clients = await connectAzure(opts, overrides.connect);
    return await sweep(clients, {
      ttlMs: input.ttlSeconds * 1000,
      dryRun: input.dryRun,
      isClosed: temporalClosed(temporal.client),
      destroyWorkspace: input.terraform !== false
        ? (cycleId) => destroyCycleWorkspace({ cycleId, rc: 'janitor', flavor: 'janitor' }, opts.location ?? 'westeurope', opts, io)
        : undefined,
    });
  } finally {
    await temporal.close();
  }
}

/** The janitor's activity, registered by the azure worker next to the step activities; `cloudJanitor` calls it. */
export function createAzureJanitorActivities(): JanitorActivities {
  return janitorSweepActivity(runJanitorSweep);
}
