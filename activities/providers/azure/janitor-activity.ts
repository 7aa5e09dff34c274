/**
 * The azure janitor sweep as one callable unit: for `rcdebug janitor sweep --cloud azure` and
 * for the activity a Temporal Schedule runs. Cycles are judged closed by asking Temporal; when
 * it cannot be reached, the TTL alone decides.
 */
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { StepIO } from '../../../src/domain/contract';
import { UserError } from '../../../src/domain/errors';
import { toStepFailure } from '../../index';
import { temporalClosed } from '../../janitor-commands';
import type { JanitorActivities } from '../../plugin';
import { connectClient } from '../../temporal-connection';
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

const quietIO: StepIO = { progress: () => undefined, signal: new AbortController().signal, attempt: 1 };

/** Sweeps the resource groups of closed or expired cycles; returns what it did. */
export async function runJanitorSweep(
  input: JanitorSweepInput,
  overrides: { options?: Partial<AzureProviderOptions>; client?: Client; io?: StepIO; connect?: ConnectOptions } = {},
): Promise<JanitorAction[]> {
  if (!Number.isFinite(input.ttlSeconds) || input.ttlSeconds <= 0) throw new UserError(`ttlSeconds ${input.ttlSeconds} must be more than 0`, 'ttlSeconds');
  const opts = azureProviderOptions(overrides.options);
  const io = overrides.io ?? quietIO;
  let client = overrides.client;
  let own = false;
  if (!client && input.temporal !== false) {
    client = await connectClient().catch((err: unknown) => {
      io.progress({ message: `${(err as Error).message}; the TTL alone decides` });
      return undefined;
    });
    own = Boolean(client);
  }
  try {
    const clients = await connectAzure(opts, overrides.connect);
    return await sweep(clients, {
      ttlMs: input.ttlSeconds * 1000,
      dryRun: input.dryRun,
      isClosed: temporalClosed(client),
      destroyWorkspace: input.terraform !== false
        ? (cycleId) => destroyCycleWorkspace({ cycleId, rc: 'janitor', flavor: 'janitor' }, opts.location ?? 'westeurope', opts, io)
        : undefined,
    });
  } finally {
    if (own) await client?.connection.close();
  }
}

/** The janitor's activity, registered by the azure worker next to the step activities; `cloudJanitor` calls it. */
export function createAzureJanitorActivities(): JanitorActivities {
  return {
    async janitorSweep(input: Record<string, unknown>): Promise<JanitorAction[]> {
      try {
        return await runJanitorSweep(input as unknown as JanitorSweepInput);
      } catch (err) {
        throw toStepFailure(err, Context.current().info.attempt);
      }
    },
  };
}
