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

// "Nov 24 10:00:01 node-1 kernel: " (syslog) and "2026-11-24T10:00:01.123+00:00 node-1 kernel: " (journal).
const SYSLOG_PREFIX = /^(?:[A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2}|[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(?:Z|[+-][0-9:]+)) \S+ kernel: /;

/**
 * The kernel's own line from a line shipped through syslog or the journal (the prefix they
 * add is removed); other lines are returned as they are.
 */
export function withoutSyslogPrefix(line: string): string {
  if (line.charCodeAt(0) === 0x5b /* [ */ || !line.includes(' kernel: ')) return line;
  const m = SYSLOG_PREFIX.exec(line);
  return m ? line.slice(m[0].length) : line;
}

/** Context of a line with a timestamp but no caller id. */
export const CONSOLE_CONTEXT = 'console';

/**
 * The context of a line: its caller id (`[ T123]`, `[ C1]`), `console` when it has only a
 * timestamp, the empty string when it has no prefix at all.
 */
export function contextOf(line: string): string {
  // Almost every line starts with the timestamp itself: read it by hand, the regexp is slow.
  if (line.charCodeAt(0) === 0x5b /* [ */) {
    const fast = readTimestampPrefix(line);
    if (fast !== undefined) return fast;
  } else if (!line.includes(' login: ') && !line.startsWith('** ') && !line.startsWith('<')) {
    return '';
  }
  const m = CONSOLE_PREFIX.exec(line);
  if (!m) return '';
  return m[1] ?? CONSOLE_CONTEXT;
}

function skipDigits(line: string, i: number): number {
  while (i < line.length) {
    const c = line.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
    i++;
  }
  return i;
}

function skipSpaces(line: string, i: number): number {
  while (line.charCodeAt(i) === 0x20) i++;
  return i;
}

/** `[ 12.345][ T12] ` at the very start of a line; undefined when the line is not that simple. */
function readTimestampPrefix(line: string): string | undefined {
  let i = skipSpaces(line, 1);
  const intEnd = skipDigits(line, i);
  if (intEnd === i || line[intEnd] !== '.') return undefined;
  i = skipDigits(line, intEnd + 1);
  if (i === intEnd + 1 || line[i] !== ']') return undefined;
  i++;
  if (line[i] === ' ') return CONSOLE_CONTEXT;
  if (line[i] !== '[') return undefined;
  const open = i;
  i = skipSpaces(line, i + 1);
  if (line[i] !== 'C' && line[i] !== 'T') return undefined;
  const idEnd = skipDigits(line, i + 1);
  if (idEnd === i + 1 || line[idEnd] !== ']' || line[idEnd + 1] !== ' ') return undefined;
  return line.slice(open, idEnd + 1);
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
    if (text.includes(' ? ') && QUESTIONABLE_FRAME.test(text)) return { text: text.slice(text.indexOf(' ? ') + 2), questionable: true };
    if (text.endsWith(' (unreliable)')) return { text: text.slice(0, -13), questionable: true };
  }
  return { text, questionable: false };
}
