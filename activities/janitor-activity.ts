/**
 * What every cloud's janitor sweep shares, whatever the cloud: the TTL check, the quiet IO of a
 * sweep nobody watches, the Temporal client it asks which cycles are closed (when Temporal
 * cannot be reached, the TTL alone decides), and the `janitorSweep` activity around it.
 */
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { StepIO } from '../src/domain/contract';
import { UserError } from '../src/domain/errors';
import { toStepFailure } from './index';
import type { JanitorActionRow, JanitorActivities } from './plugin';
import { connectClient } from './temporal-connection';

/** Progress of a sweep that nobody watches (a Schedule's run). */
export const quietIO: StepIO = { progress: () => undefined, signal: new AbortController().signal, attempt: 1 };

/** A sweep's TTL must be a positive number of seconds: a UserError before anything is looked at. */
export function checkSweepTtl(ttlSeconds: number): void {
  if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) throw new UserError(`ttlSeconds ${ttlSeconds} must be more than 0`, 'ttlSeconds');
}

/**
 * The Temporal client a sweep asks: `given`, else one it connects unless `temporal` is false.
 * When Temporal cannot be reached the client is undefined and `io` hears that the TTL alone
 * decides. `close` closes only a client connected here.
 */
export async function sweepTemporal(temporal: boolean | undefined, given: Client | undefined, io: StepIO): Promise<{ client: Client | undefined; close(): Promise<void> }> {
  if (given || temporal === false) return { client: given, close: async () => undefined };
  const client = await connectClient().catch((err: unknown) => {
    io.progress({ message: `${(err as Error).message}; the TTL alone decides` });
    return undefined;
  });
  return { client, close: async () => client?.connection.close() };
}

/** A cloud's sweep as the `janitorSweep` activity `cloudJanitor` calls; a bad sweep input fails at once instead of being retried. */
export function janitorSweepActivity<I>(run: (input: I) => Promise<JanitorActionRow[]>): JanitorActivities {
  return {
    async janitorSweep(input: Record<string, unknown>): Promise<JanitorActionRow[]> {
      try {
        return await run(input as unknown as I);
      } catch (err) {
        throw toStepFailure(err, Context.current().info.attempt);
      }
    },
  };
}
