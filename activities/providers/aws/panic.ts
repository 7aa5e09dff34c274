/** Console lines that mean the kernel died (the findings engine names the bug; this only stops the soak). */
const PANIC = [/Kernel panic - not syncing/, /\bkernel BUG at\b/, /\bOops: [0-9a-f]{4}\b.*\[#\d+\]/];

/** True when a console log shows a panic. */
export function consoleShowsPanic(text: string): boolean {
  return PANIC.some((re) => re.test(text));
}
