/**
 * The known-issues baseline: a YAML list of signatures the team already knows about.
 *
 * ```yaml
 * - signature: "KASAN: use-after-free Read in kbug_init"
 *   status: open        # open | fixed | wontfix (default open)
 *   link: https://bugs.example.com/123
 *   note: planted bug of the example module
 * ```
 * A top-level `issues:` key holding the list is accepted too.
 */
import { readFile } from 'node:fs/promises';
import { isMap, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { z } from 'zod';
import { UserError } from '../errors';
import { signatureOf } from './signature';

export const BASELINE_STATUSES = ['open', 'fixed', 'wontfix'] as const;
export type BaselineStatus = (typeof BASELINE_STATUSES)[number];

/** One known issue. */
export interface BaselineEntry {
  signature: string;
  status: BaselineStatus;
  link?: string | undefined;
  note?: string | undefined;
  /** Where it is written: `file:line`. */
  where: string;
}

const entrySchema = z
  .object({
    signature: z.string().trim().min(1, 'must be a non-empty title or signature'),
    status: z.enum(BASELINE_STATUSES).default('open'),
    link: z.string().optional(),
    note: z.string().optional(),
  })
  .strict();

/** Reads and validates a baseline; every problem is reported with its file and line. */
export async function loadBaseline(path: string): Promise<BaselineEntry[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UserError(`${path}: cannot read the baseline (${(err as NodeJS.ErrnoException).code ?? String(err)})`, path, 'check the --baseline path');
  }
  return parseBaseline(text, path);
}

/** Parses baseline text; `path` names it in errors. */
export function parseBaseline(text: string, path: string): BaselineEntry[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const lineOf = (node: Node | null | undefined) => (node?.range ? lineCounter.linePos(node.range[0]).line : 1);
  const fail = (line: number, msg: string): never => {
    throw new UserError(`${path}:${line}: ${msg}`, path, 'fix the baseline file (a YAML list of {signature, status, link, note})');
  };
  const firstError = doc.errors[0];
  if (firstError) fail(lineCounter.linePos(firstError.pos[0]).line, `not valid YAML: ${firstError.message.split('\n')[0]}`);
  let list: unknown = doc.contents;
  if (doc.contents === null) return [];
  if (isMap(list)) {
    const issues = list.get('issues', true) as Node | undefined;
    if (!issues) fail(lineOf(doc.contents), 'expected a list of known issues, or an `issues:` key holding one');
    list = issues;
  }
  if (!isSeq(list)) return fail(lineOf(list as Node), 'expected a list of known issues');
  const entries: BaselineEntry[] = [];
  const seen = new Map<string, number>();
  list.items.forEach((item, i) => {
    const line = lineOf(item as Node);
    const parsed = entrySchema.safeParse((item as Node & { toJSON(): unknown }).toJSON?.() ?? item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.length ? `.${issue.path.join('.')}` : '';
      fail(line, `entry ${i + 1}${field}: ${issue?.message ?? 'invalid'}`);
      return;
    }
    const signature = signatureOf(parsed.data.signature);
    const dup = seen.get(signature);
    if (dup !== undefined) fail(line, `entry ${i + 1}: signature "${signature}" is already listed at line ${dup}`);
    seen.set(signature, line);
    entries.push({ ...parsed.data, signature, where: `${path}:${line}` });
  });
  return entries;
}
