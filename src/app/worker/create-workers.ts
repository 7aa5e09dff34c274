import { Worker, type NativeConnection, type WorkflowBundleOption } from '@temporalio/worker';
import { createActivities } from '../../../activities';
import { loadPlugin } from '../../../activities/plugins';
import type { CloudName, CloudProvider } from '../../domain/contract';
import { BUILD_STEPS, cloudQueue, stepQueue, type BuildStep } from '../../domain/task-queues';
import { admissionSlotSupplier, type AdmissionOptions } from './admission';
import { cachedBundlePath } from './bundle';

/** The workflow bundle of the current code (built once, cached by digest). */
export async function workflowBundle(): Promise<WorkflowBundleOption> {
  return { codePath: cachedBundlePath() };
}

export interface WorkerSetOptions {
  connection: NativeConnection;
  namespace: string;
  /** Base queue: workflows poll it, cloud X's activities poll `<base>-X`. */
  taskQueue: string;
  /** Clouds whose activities this process runs (it must hold their credentials). */
  clouds: CloudName[];
  /** Providers to use instead of the plugins' (tests inject faults this way). */
  providers?: Partial<Record<CloudName, CloudProvider>>;
  /** Poll the workflow queue too (default true). */
  workflows?: boolean;
  /** Tuning for the benchmark and small machines. */
  maxConcurrentActivityTaskExecutions?: number;
  /** Admission of new workflows (see `admission.ts`); `false` takes every task as it comes. */
  admission?: Partial<AdmissionOptions> | false;
  /**
   * Which steps this process serves (default all): build steps by name (a builder host), and
   * `rest` for every other step with the preflight (they share the cloud's queue).
   */
  steps?: ReadonlyArray<BuildStep | 'rest'>;
  /** At most this many runs of a build step at once in this process (a 2-core builder: 1). */
  stepConcurrency?: Partial<Record<BuildStep, number>>;
}

export interface WorkerSet {
  workers: Worker[];
  /** Runs every worker until shutdown; rejects if one fails. */
  run(): Promise<void>;
  /** Starts a graceful shutdown: in-flight activities get their cancellation. */
  shutdown(): void;
}

/**
 * The clouds' providers, each from its plugin. Creating one reads its options from the
 * environment and touches nothing else, so a worker creates them before it connects: a bad
 * option is a UserError at once, not after a wait for the server.
 */
export async function createProviders(clouds: readonly CloudName[]): Promise<Partial<Record<CloudName, CloudProvider>>> {
  const providers: Partial<Record<CloudName, CloudProvider>> = {};
  for (const cloud of clouds) providers[cloud] = await (await loadPlugin(cloud)).createProvider();
  return providers;
}

/**
 * The rcdebug workers of one process: the workflow worker on `<base>` (no credentials needed)
 * and, per cloud, activity workers on `<base>-<cloud>` (the cloud's steps, the cloud-neutral
 * preflight and whatever else the cloud's plugin registers) and on each build step's own
 * queue (see `task-queues.ts`), as far as `steps` asks.
 */
export async function createWorkers(opts: WorkerSetOptions): Promise<WorkerSet> {
  const workers: Worker[] = [];
  if (opts.workflows !== false) {
    workers.push(
      await Worker.create({
        connection: opts.connection,
        namespace: opts.namespace,
        taskQueue: opts.taskQueue,
        workflowBundle: await workflowBundle(),
        ...(opts.admission === false
          ? {}
          : {
              // The workflow worker runs no activities; the other slot kinds are placeholders.
              tuner: {
                workflowTaskSlotSupplier: admissionSlotSupplier(opts.admission),
                activityTaskSlotSupplier: { type: 'fixed-size', numSlots: 1 },
                localActivityTaskSlotSupplier: { type: 'fixed-size', numSlots: 1 },
                nexusTaskSlotSupplier: { type: 'fixed-size', numSlots: 1 },
              },
            }),
      }),
    );
  }
  const serves = (what: BuildStep | 'rest') => !opts.steps || opts.steps.includes(what);
  for (const cloud of opts.clouds) {
    const plugin = await loadPlugin(cloud);
    const provider = opts.providers?.[cloud] ?? (await plugin.createProvider());
    const extra = (await plugin.extraActivities?.()) ?? {};
    const activities = { ...createActivities(provider), ...extra };
    const queues: Array<[string, number]> = [];
    if (serves('rest')) queues.push([cloudQueue(opts.taskQueue, cloud), opts.maxConcurrentActivityTaskExecutions ?? 20]);
    for (const step of BUILD_STEPS) {
      if (serves(step)) queues.push([stepQueue(opts.taskQueue, cloud, step), opts.stepConcurrency?.[step] ?? opts.maxConcurrentActivityTaskExecutions ?? 20]);
    }
    for (const [taskQueue, max] of queues) {
      workers.push(await Worker.create({ connection: opts.connection, namespace: opts.namespace, taskQueue, activities, maxConcurrentActivityTaskExecutions: max }));
    }
  }
  return {
    workers,
    async run() {
      await Promise.all(workers.map((w) => w.run()));
    },
    shutdown() {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    },
  };
}
