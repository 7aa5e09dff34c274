/**
 * Console lines that mean a node's kernel died or is about to: the one list every cloud's soak
 * check uses to end the soak early. The findings engine names the bug from the whole report;
 * this list only decides that the soak stops. Pure module.
 */

/** A marker of a dead kernel, with the reason it is on the list. */
export interface PanicMarker {
  pattern: RegExp;
  why: string;
}

export const PANIC_MARKERS: readonly PanicMarker[] = [
  { pattern: /Kernel panic - not syncing/, why: 'the kernel gave up; nothing runs after it' },
  { pattern: /---\[ end Kernel panic/, why: 'the closing line of a panic whose first line the console lost' },
  { pattern: /\bkernel BUG at\b/, why: 'BUG(): the task is killed and the kernel is left in an unknown state' },
  // An oops header, "Oops: 0002 [#1] PREEMPT SMP"; newer kernels put the fault's name before the count.
  { pattern: /\bOops: .*\[#\d+\]/, why: 'an oops: a fault in kernel mode' },
];

/** The first console line that shows a dead kernel, trimmed; undefined when there is none. */
export function panicLine(text: string): string | undefined {
  for (const line of text.split('\n')) {
    if (PANIC_MARKERS.some((m) => m.pattern.test(line))) return line.trim();
  }
  return undefined;
}

/** True when a console log shows a dead kernel. */
export function consoleShowsPanic(text: string): boolean {
  return panicLine(text) !== undefined;
}
