/**
 * The prefix the kernel puts before each console line (`[  12.345678]`, and with
 * CONFIG_PRINTK_CALLER `[  12.345678][ T123]` or `[ C1]`), which tells lines of one task or
 * CPU apart from others interleaved with them.
 */

const CONSOLE_PREFIX =
  /^(?:\*\* [0-9]+ printk messages dropped \*\* )?(?:.* login: )?(?:<[0-9]+>)?\[ *[0-9]+\.[0-9]+\](\[ *(?:C|T)[0-9]+\])? /;
const TASK_CONTEXT = /\[ *T[0-9]+\]/;
const CPU_CONTEXT = /\[ *C[0-9]+\]/;
const QUESTIONABLE_FRAME = /(\[<[0-9a-f]+>\])? \? /;

/** Context of a line with a timestamp but no caller id. */
export const CONSOLE_CONTEXT = 'console';

/**
 * The context of a line: its caller id (`[ T123]`, `[ C1]`), `console` when it has only a
 * timestamp, the empty string when it has no prefix at all.
 */
export function contextOf(line: string): string {
  const m = CONSOLE_PREFIX.exec(line);
  if (!m) return '';
  return m[1] ?? CONSOLE_CONTEXT;
}

/** True for a task context (`[ T123]`), whose lines all come from one task. */
export function isTaskContext(context: string): boolean {
  return TASK_CONTEXT.test(context);
}

/** True for a CPU context (`[ C1]`): interrupts and NMI backtraces. */
export function isCpuContext(context: string): boolean {
  return CPU_CONTEXT.test(context);
}

/**
 * The line without its console prefix, and whether it is a frame the unwinder was unsure
 * of (`? foo+0x1/0x2`), which must not name a bug.
 */
export function stripConsolePrefix(line: string, context: string): { text: string; questionable: boolean } {
  if (context === '') return { text: line, questionable: false };
  const text = line.slice(line.indexOf('] ') + 2);
  if (!text.includes('<EOI>')) {
    if (QUESTIONABLE_FRAME.test(text)) return { text: text.slice(text.indexOf(' ? ') + 2), questionable: true };
    if (text.endsWith(' (unreliable)')) return { text: text.slice(0, -13), questionable: true };
  }
  return { text, questionable: false };
}
