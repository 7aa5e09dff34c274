import type { Connection } from '@temporalio/client';
import { Runtime } from '@temporalio/worker';
import type { Command } from 'commander';
import { parseClouds } from '../../../../activities/plugins';
import { connectClient, connectWorker, retryUnreachable, settingsFromEnv } from '../../../../activities/temporal-connection';
import { ensureSearchAttributes } from '../../client/ensure-search-attributes';
import { DEFAULT_CLOUD, type CloudName } from '../../../domain/contract';
import { createProviders, createWorkers } from '../../worker/create-workers';
import { intOption, portOption } from '../options';
import { parseStepConcurrency, parseSteps, type ServedStep } from '../step-options';
import type { BuildStep } from '../../../domain/task-queues';

export { parseClouds };

export interface RunWorkerOptions {
  clouds: CloudName[];
  taskQueue: string;
  workflows: boolean;
  metricsPort?: number | undefined;
  /** Steps this worker serves (default all); see createWorkers. */
  steps?: ServedStep[] | undefined;
  stepConcurrency?: Partial<Record<BuildStep, number>> | undefined;
  /** How long to wait for a server that does not answer at start (default 60 s). */
  connectWaitSeconds?: number | undefined;
  log?: (line: string) => void;
}

/** Runs rcdebug's workers until SIGINT/SIGTERM, then shuts down gracefully. */
export async function runWorker(o: RunWorkerOptions): Promise<void> {
  const log = o.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  if (o.metricsPort) {
    // Must come before the first connection: the runtime owns the metrics exporter.
    Runtime.install({ telemetryOptions: { metrics: { prometheus: { bindAddress: `0.0.0.0:${o.metricsPort}` } } } });
  }
  const settings = settingsFromEnv();
  const providers = await createProviders(o.clouds);
  const client = await retryUnreachable(() => connectClient(settings), o.connectWaitSeconds ?? 60, log);
  const missing = await ensureSearchAttributes(client.connection as Connection, settings.namespace);
  if (missing.length) log(`warning: search attributes ${missing.join(', ')} are missing and could not be added; add them (Keyword) so the UI can filter cycles`);
  await client.connection.close();
  const connection = await connectWorker(settings);
  const set = await createWorkers({
    connection,
    namespace: settings.namespace,
    taskQueue: o.taskQueue,
    clouds: o.clouds,
    providers,
    workflows: o.workflows,
    ...(o.steps ? { steps: o.steps } : {}),
    ...(o.stepConcurrency ? { stepConcurrency: o.stepConcurrency } : {}),
  });
  log(
    `rcdebug worker on ${settings.address} (${settings.namespace}): ${o.workflows ? `workflows on "${o.taskQueue}"` : 'no workflows'}` +
      `${o.clouds.length ? `, activities of ${o.clouds.join(', ')} (${o.steps ? `steps: ${o.steps.join(', ')}` : 'every step'})` : ''}` +
      `${o.metricsPort ? `, metrics on :${o.metricsPort}/metrics` : ''}`,
  );
  // The SDK's runtime turns SIGINT/SIGTERM into a graceful shutdown of every worker.
  await set.run();
  await connection.close();
  log('rcdebug worker stopped');
}

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('run workflows (task queue rcdebug) and the activities of the given clouds (rcdebug-<cloud>)')
    .option('--clouds <list>', 'clouds whose activities this worker runs (it needs their credentials)', DEFAULT_CLOUD)
    .option('--task-queue <name>', 'base task queue', 'rcdebug')
    .option('--no-workflows', 'run activities only')
    .option('--metrics-port <port>', 'serve Prometheus metrics on this port')
    .option('--steps <list>', 'steps served: all, or kernel-build, image-bake (a builder host) and rest (every other step)', 'all')
    .option('--step-concurrency <list>', 'build steps at once in this worker, e.g. kernel-build=1,image-bake=2')
    .option('--connect-wait <seconds>', 'wait this long for a server that does not answer at start, retrying with backoff', '60')
    .action(async (o: { clouds: string; taskQueue: string; workflows: boolean; metricsPort?: string; steps: string; stepConcurrency?: string; connectWait: string }) => {
      const metricsPort = o.metricsPort === undefined ? undefined : portOption(o.metricsPort, '--metrics-port');
      const steps = parseSteps(o.steps);
      const stepConcurrency = o.stepConcurrency === undefined ? undefined : parseStepConcurrency(o.stepConcurrency);
      const connectWaitSeconds = intOption(o.connectWait, '--connect-wait', 0, 86_400);
      await runWorker({ clouds: parseClouds(o.clouds), taskQueue: o.taskQueue, workflows: o.workflows, metricsPort, steps, stepConcurrency, connectWaitSeconds });
    });
}
