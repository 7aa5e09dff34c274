/**
 * Admission control for the workflow worker: move the cycles already running before taking on
 * new ones.
 *
 * A workflow task reaches a worker from its sticky queue (the next step of a workflow it has
 * in its cache) or from the shared queue (mostly a workflow that starts). When many cycles
 * start at once and every new one is taken as it arrives, all of them are in flight together,
 * and each step of each cycle waits behind the steps of all the others. This slot supplier
 * gives a sticky poll a slot whenever one is free. A poll of the shared queue gets one only
 * when all of these hold:
 *
 * - the worker is processing no task, and no other shared-queue poll is already admitted and
 *   still waiting for its task (new workflows come in one at a time, not in a batch);
 * - the tasks of running workflows are fast: the moving average of the time from a sticky task
 *   reaching the worker to its completion is at most `targetTaskMs`, or no sticky task has
 *   completed for `quietMs` (the running workflows are waiting on long activities).
 *
 * A poll that has waited `maxAdmissionDelayMs` gets a slot regardless, so a stream of running
 * cycles never starves new ones.
 *
 * In a burst, the cycles in flight move at about the speed of an idle engine and the same work
 * gets done in about the same time, since the machine is busy either way. Real cycles spend
 * minutes to hours in each step, so the worker is quiet nearly all the time and a new cycle is
 * taken at once; the rules only bite in a burst.
 */
import type { CustomSlotSupplier, SlotPermit, SlotReserveContext, WorkflowSlotInfo } from '@temporalio/worker';

export interface AdmissionOptions {
  /** Workflow task slots in all; a poll waiting for a task holds one too. */
  maxSlots: number;
  /** The time on this worker a task of a running workflow may take (moving average) before new workflows wait. */
  targetTaskMs: number;
  /** After this long without a sticky task completed, the average holds nothing back. */
  quietMs: number;
  /** Longest a poll of the shared queue waits for admission. */
  maxAdmissionDelayMs: number;
}

/** 40 slots: the SDK's default for workflow tasks. */
const DEFAULT_ADMISSION: AdmissionOptions = { maxSlots: 40, targetTaskMs: 10, quietMs: 100, maxAdmissionDelayMs: 2_000 };

/** Weight of the newest sample in the moving average of sticky task times. */
const SMOOTHING = 0.3;

interface Waiter {
  sticky: boolean;
  since: number;
  grant(permit: SlotPermit): void;
}

/** The slot supplier for workflow tasks; pass it as the worker tuner's `workflowTaskSlotSupplier`. */
export function admissionSlotSupplier(options: Partial<AdmissionOptions> = {}, now: () => number = Date.now): CustomSlotSupplier<WorkflowSlotInfo> {
  const opts: AdmissionOptions = { ...DEFAULT_ADMISSION, ...options };
  let reserved = 0;
  /** Permits whose task is being processed. */
  const busy = new Set<SlotPermit>();
  /** Permits of shared-queue polls admitted and not yet given a task. */
  const admitting = new Set<SlotPermit>();
  /** When each sticky task being processed reached the worker. */
  const stickySince = new Map<SlotPermit, number>();
  let taskMs = 0;
  let lastStickyDone = -Infinity;
  const waiters: Waiter[] = [];
  let timer: NodeJS.Timeout | undefined;

  const runningAreSlow = (t: number) => taskMs > opts.targetTaskMs && t - lastStickyDone < opts.quietMs;
  const admits = (sticky: boolean, since: number, t: number) =>
    reserved < opts.maxSlots &&
    (sticky || (busy.size === 0 && admitting.size === 0 && !runningAreSlow(t)) || t - since >= opts.maxAdmissionDelayMs);

  const take = (sticky: boolean): SlotPermit => {
    reserved += 1;
    const permit: SlotPermit = {};
    if (!sticky) admitting.add(permit);
    return permit;
  };

  /** Grants what can be granted now, sticky polls first, and wakes up at the next deadline. */
  const pump = () => {
    const t = now();
    for (const sticky of [true, false]) {
      for (let i = 0; i < waiters.length; ) {
        const w = waiters[i] as Waiter;
        if (w.sticky === sticky && admits(w.sticky, w.since, t)) {
          waiters.splice(i, 1);
          w.grant(take(sticky));
        } else i += 1;
      }
    }
    if (timer) clearTimeout(timer);
    timer = undefined;
    const oldest = waiters.find((w) => !w.sticky);
    if (oldest && reserved < opts.maxSlots) {
      const at = Math.min(oldest.since + opts.maxAdmissionDelayMs, runningAreSlow(t) ? lastStickyDone + opts.quietMs : Infinity);
      timer = setTimeout(pump, Math.max(0, at - t));
      timer.unref();
    }
  };

  return {
    type: 'custom',
    reserveSlot(ctx: SlotReserveContext, abortSignal: AbortSignal): Promise<SlotPermit> {
      return new Promise((resolve, reject) => {
        const waiter: Waiter = { sticky: ctx.isSticky, since: now(), grant: resolve };
        abortSignal.addEventListener('abort', () => {
          const i = waiters.indexOf(waiter);
          if (i < 0) return;
          waiters.splice(i, 1);
          reject(abortSignal.reason ?? new Error('slot reservation aborted'));
        });
        waiters.push(waiter);
        pump();
      });
    },
    tryReserveSlot(ctx: SlotReserveContext): SlotPermit | null {
      const t = now();
      return admits(ctx.isSticky, t, t) ? take(ctx.isSticky) : null;
    },
    markSlotUsed(ctx) {
      busy.add(ctx.permit);
      admitting.delete(ctx.permit);
      if (ctx.slotInfo.isSticky) stickySince.set(ctx.permit, now());
    },
    releaseSlot(ctx) {
      reserved -= 1;
      busy.delete(ctx.permit);
      admitting.delete(ctx.permit);
      const since = stickySince.get(ctx.permit);
      if (since !== undefined) {
        stickySince.delete(ctx.permit);
        const t = now();
        taskMs += SMOOTHING * (t - since - taskMs);
        lastStickyDone = t;
      }
      pump();
    },
  };
}
