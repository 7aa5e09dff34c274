/**
 * The janitor sweep as one callable unit: for `rcdebug janitor sweep` and for the activity a
 * Temporal Schedule runs (`rcdebug janitor schedule create`). Cycles are judged closed by
 * asking Temporal; when it cannot be reached, the TTL alone decides.
 */
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { toStepFailure } from '../../index';
import { temporalClosed } from '../../janitor-commands';
import { connectAws } from './config';
import { sweep, type JanitorAction } from './janitor';
import type { JanitorActivities } from '../../plugin';
import { connectClient } from '../../temporal-connection';
import type { StepIO } from '../../../src/domain/contract';
import { UserError } from '../../../src/domain/errors';
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

const quietIO: StepIO = { progress: () => undefined, signal: new AbortController().signal, attempt: 1 };

/** Sweeps the resources of closed or expired cycles; returns what it did. */
export async function runJanitorSweep(
  input: JanitorSweepInput,
  overrides: { options?: Partial<AwsProviderOptions>; client?: Client; io?: StepIO } = {},
): Promise<JanitorAction[]> {
  if (!Number.isFinite(input.ttlSeconds) || input.ttlSeconds <= 0) throw new UserError(`ttlSeconds ${input.ttlSeconds} must be more than 0`, 'ttlSeconds');
  const opts = awsProviderOptions(overrides.options);
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
  const clients = await connectAws({ region: input.region ?? opts.region, field: 'region' });
  try {
    const useTerraform = input.terraform !== false && Boolean(opts.stateBucket ?? opts.bucket);
    return await sweep(clients, {
      ttlMs: input.ttlSeconds * 1000,
      dryRun: input.dryRun,
      isClosed: temporalClosed(client),
      destroyWorkspace: useTerraform
        ? (cycleId) => destroyCycleWorkspace({ cycleId, rc: 'janitor', flavor: 'janitor' }, clients.config.region, opts, io)
        : undefined,
    });
  } finally {
    clients.destroy();
    if (own) await client?.connection.close();
  }
}

/** The janitor's activity, registered by the aws worker next to the step activities; `cloudJanitor` calls it. */
export function createAwsJanitorActivities(): JanitorActivities {
  return {
    async janitorSweep(input: Record<string, unknown>): Promise<JanitorAction[]> {
      try {
        return await runJanitorSweep(input as unknown as JanitorSweepInput);
      } catch (err) {
        // A bad sweep input is the user's to fix: fail at once instead of retrying it.
        throw toStepFailure(err, Context.current().info.attempt);
      }
    },
  };
}
