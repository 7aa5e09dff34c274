/**
 * Admission control for the workflow worker: move the cycles already running before taking on
 * new ones.
 *
 * A workflow task reaches a worker from its sticky queue (the next step of a workflow it has
 * in its cache) or from the shared queue (mostly a workflow that starts). When many cycles
 * start at once and every new one is taken as it arrives, all of them are in flight together,
 * and each step of each cycle waits behind the steps of all the others. This slot supplier
 * gives a sticky poll a slot whenever one is free, and a poll of the shared queue one only
 * while the worker is processing no task, or once it has waited `maxAdmissionDelayMs` (so a
 * stream of running cycles never starves new ones). The same work gets done in about the same
 * time; the cycles in flight move at the speed of an idle engine instead of all crawling.
 *
 * Real cycles spend minutes to hours in each step, so the worker is idle nearly all the time
 * and a new cycle is taken at once; the rule only bites in a burst.
 */
import type { CustomSlotSupplier, SlotPermit, SlotReserveContext, WorkflowSlotInfo } from '@temporalio/worker';

export interface AdmissionOptions {
  /** Workflow task slots in all; a poll waiting for a task holds one too. */
  maxSlots: number;
  /** Longest a poll of the shared queue waits for the worker to be idle. */
  maxAdmissionDelayMs: number;
}

/** 40 slots: the SDK's default for workflow tasks. */
export const DEFAULT_ADMISSION: AdmissionOptions = { maxSlots: 40, maxAdmissionDelayMs: 2_000 };

interface Waiter {
  sticky: boolean;
  since: number;
  grant(permit: SlotPermit): void;
}

/** The slot supplier for workflow tasks; pass it as the worker tuner's `workflowTaskSlotSupplier`. */
export function admissionSlotSupplier(opts: AdmissionOptions = DEFAULT_ADMISSION, now: () => number = Date.now): CustomSlotSupplier<WorkflowSlotInfo> {
  let reserved = 0;
  /** Permits whose task is being processed. */
  const busy = new Set<SlotPermit>();
  const waiters: Waiter[] = [];
  let timer: NodeJS.Timeout | undefined;

  const admits = (sticky: boolean, since: number, t: number) =>
    reserved < opts.maxSlots && (sticky || busy.size === 0 || t - since >= opts.maxAdmissionDelayMs);

  /** Grants what can be granted now, sticky polls first, and wakes up at the next deadline. */
  const pump = () => {
    const t = now();
    for (const sticky of [true, false]) {
      for (let i = 0; i < waiters.length; ) {
        const w = waiters[i] as Waiter;
        if (w.sticky === sticky && admits(w.sticky, w.since, t)) {
          waiters.splice(i, 1);
          reserved += 1;
          w.grant({});
        } else i += 1;
      }
    }
    if (timer) clearTimeout(timer);
    timer = undefined;
    const oldest = waiters.find((w) => !w.sticky);
    if (oldest && reserved < opts.maxSlots) {
      timer = setTimeout(pump, Math.max(0, oldest.since + opts.maxAdmissionDelayMs - t));
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
      if (!admits(ctx.isSticky, t, t)) return null;
      reserved += 1;
      return {};
    },
    markSlotUsed(ctx) {
      busy.add(ctx.permit);
    },
    releaseSlot(ctx) {
      reserved -= 1;
      busy.delete(ctx.permit);
      pump();
    },
  };
}
