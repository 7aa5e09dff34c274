/**
 * A worker in its own process, for tests that kill it: `tsx worker-process.ts <address>
 * <taskQueue> <recordFile> [scriptJSON]`. Prints `ready` once it polls. It connects as the CLI's
 * worker does, from the standard variables (TEMPORAL_NAMESPACE, TEMPORAL_TLS_*, ...).
 */
import { connectWorker, settingsFromEnv } from '../../activities/temporal-connection';
import { parseStepConcurrency, parseSteps } from '../../src/app/cli/step-options';
import { createWorkers } from '../../src/app/worker/create-workers';
import { scriptedProvider, type ScriptedProviderOptions } from './scripted-provider';

const [address, taskQueue, recordFile, script] = process.argv.slice(2);
if (!address || !taskQueue || !recordFile) {
  process.stderr.write('usage: worker-process.ts <address> <taskQueue> <recordFile> [scriptJSON]\n');
  process.exit(2);
}
const options: ScriptedProviderOptions = { recordFile, ...(script ? (JSON.parse(script) as ScriptedProviderOptions) : {}) };
const settings = settingsFromEnv({ ...process.env, TEMPORAL_ADDRESS: address });
const connection = await connectWorker(settings);
const set = await createWorkers({
  connection,
  namespace: settings.namespace,
  taskQueue,
  clouds: ['local'],
  providers: { local: scriptedProvider(options) },
  maxConcurrentActivityTaskExecutions: 200,
  // A builder host's worker, or the rest: the CLI's --steps and --step-concurrency.
  ...(process.env.RCDEBUG_WORKER_STEPS ? { steps: parseSteps(process.env.RCDEBUG_WORKER_STEPS) } : {}),
  ...(process.env.RCDEBUG_WORKER_STEP_CONCURRENCY ? { stepConcurrency: parseStepConcurrency(process.env.RCDEBUG_WORKER_STEP_CONCURRENCY) } : {}),
  // The benchmark compares the worker with and without admission control.
  ...(process.env.RCDEBUG_WORKER_ADMISSION === 'off' ? { admission: false as const } : {}),
});
const running = set.run();
process.stdout.write('ready\n');
// SIGTERM shuts the workers down gracefully (the SDK's runtime handles it); then report the
// peak memory for the benchmark.
await running;
await connection.close();
process.stdout.write(`maxrss-kib ${process.resourceUsage().maxRSS}\n`);
