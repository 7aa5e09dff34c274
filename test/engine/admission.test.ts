import type { SlotPermit, SlotReserveContext, WorkflowSlotInfo } from '@temporalio/worker';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { admissionSlotSupplier } from '../../src/app/worker/admission';

const ctx = (isSticky: boolean): SlotReserveContext => ({ slotType: 'workflow', taskQueue: 'q', workerIdentity: 'w', workerBuildId: '', isSticky });
const info = (isSticky: boolean): WorkflowSlotInfo => ({ type: 'workflow', workflowType: 'cloudCycle', isSticky });

/** Resolves to what a reservation has become by now: granted, still waiting, or refused. */
async function state(p: Promise<SlotPermit>): Promise<'granted' | 'waiting' | 'refused'> {
  return Promise.race([p.then(() => 'granted' as const, () => 'refused' as const), new Promise<'waiting'>((r) => setTimeout(() => r('waiting'), 20))]);
}

describe('admission control of the workflow worker', () => {
  afterEach(() => vi.useRealTimers());

  it('takes a new workflow only while no task is being processed; running ones go first', async () => {
    const s = admissionSlotSupplier({ maxSlots: 10, maxAdmissionDelayMs: 60_000, targetTaskMs: 60_000 });
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

  it('takes new workflows one at a time: the next once the last one has its task and the worker is idle again', async () => {
    const s = admissionSlotSupplier({ maxSlots: 10, maxAdmissionDelayMs: 60_000, targetTaskMs: 60_000 });
    const never = new AbortController().signal;
    const first = s.reserveSlot(ctx(false), never);
    const second = s.reserveSlot(ctx(false), never);
    expect(await state(first)).toBe('granted');
    // The first poll has no task yet: the second waits rather than joining it in a batch.
    expect(await state(second)).toBe('waiting');
    expect(s.tryReserveSlot(ctx(false))).toBeNull();
    const permit = await first;
    s.markSlotUsed({ slotInfo: info(false), permit });
    expect(await state(second)).toBe('waiting');
    s.releaseSlot({ slotInfo: info(false), permit });
    expect(await state(second)).toBe('granted');
  });

  it('an admitted poll that comes back empty lets the next one in', async () => {
    const s = admissionSlotSupplier({ maxSlots: 10, maxAdmissionDelayMs: 60_000 });
    const never = new AbortController().signal;
    const first = await s.reserveSlot(ctx(false), never);
    const second = s.reserveSlot(ctx(false), never);
    expect(await state(second)).toBe('waiting');
    s.releaseSlot({ permit: first });
    expect(await state(second)).toBe('granted');
  });

  it('holds new workflows back while the tasks of running ones are slow, until those go quiet', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const s = admissionSlotSupplier({ maxSlots: 10, maxAdmissionDelayMs: 60_000, targetTaskMs: 10, quietMs: 100 });
    const never = new AbortController().signal;
    const step = await s.reserveSlot(ctx(true), never);
    s.markSlotUsed({ slotInfo: info(true), permit: step });
    await vi.advanceTimersByTimeAsync(100); // a step that spent 100 ms on the worker
    s.releaseSlot({ slotInfo: info(true), permit: step });
    let granted = false;
    void s.reserveSlot(ctx(false), never).then(() => (granted = true));
    await vi.advanceTimersByTimeAsync(90);
    expect(granted).toBe(false);
    await vi.advanceTimersByTimeAsync(20);
    expect(granted).toBe(true);
  });

  it('fast tasks of running workflows do not hold new ones back', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const s = admissionSlotSupplier({ maxSlots: 10, maxAdmissionDelayMs: 60_000, targetTaskMs: 10, quietMs: 100 });
    const never = new AbortController().signal;
    for (let i = 0; i < 5; i++) {
      const step = await s.reserveSlot(ctx(true), never);
      s.markSlotUsed({ slotInfo: info(true), permit: step });
      await vi.advanceTimersByTimeAsync(4);
      s.releaseSlot({ slotInfo: info(true), permit: step });
    }
    expect(s.tryReserveSlot(ctx(false))).not.toBeNull();
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
