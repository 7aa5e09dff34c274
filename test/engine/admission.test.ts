import type { SlotPermit, SlotReserveContext, WorkflowSlotInfo } from '@temporalio/worker';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { admissionSlotSupplier } from '../../src/worker/admission';

const ctx = (isSticky: boolean): SlotReserveContext => ({ slotType: 'workflow', taskQueue: 'q', workerIdentity: 'w', workerBuildId: '', isSticky });
const info = (isSticky: boolean): WorkflowSlotInfo => ({ type: 'workflow', workflowType: 'cloudCycle', isSticky });

/** Resolves to what a reservation has become by now: granted, still waiting, or refused. */
async function state(p: Promise<SlotPermit>): Promise<'granted' | 'waiting' | 'refused'> {
  return Promise.race([p.then(() => 'granted' as const, () => 'refused' as const), new Promise<'waiting'>((r) => setTimeout(() => r('waiting'), 20))]);
}

describe('admission control of the workflow worker', () => {
  afterEach(() => vi.useRealTimers());

  it('takes a new workflow only while no task is being processed; running ones go first', async () => {
    const s = admissionSlotSupplier({ maxSlots: 10, maxAdmissionDelayMs: 60_000 });
    const never = new AbortController().signal;
    const running = await s.reserveSlot(ctx(true), never);
    s.markSlotUsed({ slotInfo: info(true), permit: running });

    const fresh = s.reserveSlot(ctx(false), never);
    expect(await state(fresh)).toBe('waiting');
    // Another step of a running cycle is not held back.
    expect(await state(s.reserveSlot(ctx(true), never))).toBe('granted');
    expect(s.tryReserveSlot(ctx(false))).toBeNull();

    s.releaseSlot({ slotInfo: info(true), permit: running });
    expect(await state(fresh)).toBe('granted');
  });

  it('a reserved but idle poll does not count as work', async () => {
    const s = admissionSlotSupplier({ maxSlots: 10, maxAdmissionDelayMs: 60_000 });
    const never = new AbortController().signal;
    await s.reserveSlot(ctx(true), never); // a sticky poll waiting for a task
    expect(await state(s.reserveSlot(ctx(false), never))).toBe('granted');
  });

  it('never starves new workflows: after the delay one is taken even while busy', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const s = admissionSlotSupplier({ maxSlots: 10, maxAdmissionDelayMs: 2_000 });
    const never = new AbortController().signal;
    const running = await s.reserveSlot(ctx(true), never);
    s.markSlotUsed({ slotInfo: info(true), permit: running });
    let granted = false;
    void s.reserveSlot(ctx(false), never).then(() => (granted = true));
    await vi.advanceTimersByTimeAsync(1_900);
    expect(granted).toBe(false);
    await vi.advanceTimersByTimeAsync(200);
    expect(granted).toBe(true);
  });

  it('never hands out more than maxSlots, and frees a slot on release', async () => {
    const s = admissionSlotSupplier({ maxSlots: 2, maxAdmissionDelayMs: 0 });
    const never = new AbortController().signal;
    const a = await s.reserveSlot(ctx(true), never);
    await s.reserveSlot(ctx(true), never);
    const third = s.reserveSlot(ctx(true), never);
    expect(await state(third)).toBe('waiting');
    expect(s.tryReserveSlot(ctx(true))).toBeNull();
    s.releaseSlot({ permit: a });
    expect(await state(third)).toBe('granted');
  });

  it('an aborted reservation is refused and does not take a slot later', async () => {
    const s = admissionSlotSupplier({ maxSlots: 1, maxAdmissionDelayMs: 0 });
    const never = new AbortController().signal;
    const only = await s.reserveSlot(ctx(true), never);
    const abort = new AbortController();
    const waiting = s.reserveSlot(ctx(true), abort.signal);
    abort.abort(new Error('worker shutting down'));
    expect(await state(waiting)).toBe('refused');
    s.releaseSlot({ permit: only });
    expect(await state(s.reserveSlot(ctx(true), never))).toBe('granted');
  });
});
