/**
 * Regexp building blocks of the report table. A pattern is written with placeholders and
 * compiled once; the placeholders keep the table readable and consistent between rows.
 *
 * | placeholder | matches | captures |
 * | --- | --- | --- |
 * | `{{ADDR}}` | a hex address `0x...` | no |
 * | `{{PC}}` | a bracketed program counter `[<ffffffff81234567>]`, or a hashed one `[<(____ptrval____)>]` | no |
 * | `{{FUNC}}` | a function name followed by `.` or `+` (`foo+0x12/0x40`, `foo.isra.1`) | the name |
 * | `{{SRC}}` | a source location `net/core/dev.c:123` | the location |
 * | `{{TASK}}` | a short task name, which may contain anything (`syz-executor:123`) | no |
 */

const PLACEHOLDERS: ReadonlyArray<readonly [string, string]> = [
  ['{{ADDR}}', '0x[0-9a-f]+'],
  // Kernels that hash pointers print `(____ptrval____)` instead of the address (kmemleak does).
  ['{{PC}}', '\\[\\<?(?:(?:0x)?[0-9a-f]+|\\(____ptrval____\\))\\>?\\]'],
  ['{{FUNC}}', '([a-zA-Z0-9_]+)(?:\\.|\\+)'],
  ['{{SRC}}', '([a-zA-Z0-9-_/.]+\\.[a-z]+:[0-9]+)'],
  ['{{TASK}}', '[\\s\\S]{0,100}?'],
];

/** Expands the placeholders of a table pattern into plain regexp source. */
export function expandPattern(pattern: string): string {
  let source = pattern;
  for (const [name, re] of PLACEHOLDERS) source = source.split(name).join(re);
  return source;
}

/** Compiles a table pattern (with placeholders) into a regexp; a leading `(?i)` makes it case-insensitive. */
export function compilePattern(pattern: string): RegExp {
  if (pattern.startsWith('(?i)')) return new RegExp(expandPattern(pattern.slice(4)), 'i');
  return new RegExp(expandPattern(pattern));
}

/** A regexp source that matches `s` literally. */
export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Tests a regexp against a string with no state carried between calls. */
export function matchesAny(text: string, res: readonly RegExp[]): boolean {
  for (const re of res) if (re.test(text)) return true;
  return false;
}

/**
 * The line with the faulting instruction pointer, as printed by x86 (`RIP: 0010:foo+0x1/0x2`),
 * powerpc (`NIP`) and arm (`pc : foo+0x1/0x2`, `PC is at foo+0x1/0x2`); it names the guilty
 * function of faults.
 */
export const RIP_FRAME =
  '(?:IP|NIP|pc |PC is at):? (?:(?:[0-9]+:)?(?:{{PC}} +){0,2}{{FUNC}}|(?:[0-9]+:)?0x[0-9a-f]+|(?:[0-9]+:)?{{PC}} +\\[< *\\(null\\)>\\] +\\(null\\)|[0-9]+: +\\(null\\))';

/** The line that opens a call trace. */
export const CALL_TRACE = '(?:Call (?:T|t)race:)|(?:Backtrace:)';

/** Stands for "parse a stack trace from here" inside the `parts` of a stack rule. */
export const PARSE_STACK = 'PARSE_STACK';
