/**
 * `rcdebug findings history [--rc R] [--since D] [--json] [--html FILE] [--write-baseline FILE]`:
 * the findings of closed cycles, per signature across the nightly runs.
 */
import { access, constants, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UserError } from '../../../domain/errors';
import type { FindingsHistory, HistoryFilter, SignatureHistory } from '../../../domain/findings/history';
import { RC_PATTERN } from '../../../domain/input';
import { intOption } from '../options';
import { printJson, table } from '../output';

export interface HistoryOptions {
  rc?: string;
  since?: string;
  json?: boolean;
  html?: string;
  writeBaseline?: string;
  pageSize?: string;
}

/** `--since`: a date (`2026-11-01`, UTC midnight) or an ISO time; anything else is refused. */
export function sinceOption(value: string): Date {
  const ok = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value.trim());
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value.trim()) ? `${value.trim()}T00:00:00Z` : value.trim());
  if (!ok || Number.isNaN(date.getTime())) {
    throw new UserError(`--since must be a date such as 2026-11-01 or an ISO time such as 2026-11-01T02:00:00Z, got "${value}"`, '--since');
  }
  return date;
}

/** An output file whose folder exists and can be written, checked before anything is read. */
async function outputFile(path: string, flag: string): Promise<string> {
  const full = resolve(path);
  try {
    await access(dirname(full), constants.W_OK);
  } catch {
    throw new UserError(`${flag} ${path}: the folder ${dirname(full)} does not exist or cannot be written`, flag, 'create the folder or give another path');
  }
  return full;
}

function sighting(s: SignatureHistory['firstSeen']): string {
  return `${s.rc} ${s.date.slice(0, 10)} ${s.clouds.join(' ')}\n${s.cycleId}`;
}

function printHistory(h: FindingsHistory): void {
  const span = h.runs.length ? `${h.runs.length} run(s) of ${h.rcs.join(', ')}` : 'no closed cycle with findings to read';
  process.stdout.write(`${span}; ${h.signatures.length} signature(s)${h.withoutHarvest ? `; ${h.withoutHarvest} cloud cycle(s) without log-harvest left out` : ''}\n`);
  if (!h.signatures.length) return;
  const rows = h.signatures.map((s) => [
    s.title + (s.source ? `\n${s.source}` : ''),
    sighting(s.firstSeen),
    sighting(s.lastSeen),
    String(s.cycles.length),
    s.stoppedIn ?? (s.absentFor ? `absent ${s.absentFor} run(s)` : ''),
  ]);
  process.stdout.write(`${table(['signature', 'first seen', 'last seen', 'runs', 'stopped in'], rows)}\n`);
}

export async function findingsHistory(opts: HistoryOptions): Promise<void> {
  // Every option is checked before the server is asked anything or a file is written.
  if (opts.rc !== undefined && !RC_PATTERN.test(opts.rc)) {
    throw new UserError(`--rc must be a release candidate version such as v1.4.0-rc2, got "${opts.rc}"`, '--rc');
  }
  const filter: HistoryFilter = { rc: opts.rc, since: opts.since !== undefined ? sinceOption(opts.since) : undefined };
  const pageSize = opts.pageSize !== undefined ? intOption(opts.pageSize, '--page-size', 1, 1000) : undefined;
  const html = opts.html !== undefined ? await outputFile(opts.html, '--html') : undefined;
  const baselineFile = opts.writeBaseline !== undefined ? await outputFile(opts.writeBaseline, '--write-baseline') : undefined;
  const { loadBaseline } = await import('../../../domain/findings/baseline');
  // A baseline being replaced must be valid: what the team wrote in it is carried over.
  const existing = baselineFile && (await access(baselineFile).then(() => true, () => false)) ? await loadBaseline(baselineFile) : [];

  const { connectClient } = await import('../../../../activities/temporal-connection');
  const { readFindingsHistory } = await import('../../client/findings-history');
  const history = await readFindingsHistory(await connectClient(), filter, { pageSize });

  if (html) {
    const { renderHistoryHtml } = await import('../../../domain/findings/history-html');
    await writeFile(html, renderHistoryHtml(history));
    process.stderr.write(`wrote ${html}\n`);
  }
  if (baselineFile) {
    const { renderHistoryBaseline } = await import('../../../domain/findings/history-baseline');
    await writeFile(baselineFile, renderHistoryBaseline(history, existing));
    process.stderr.write(`wrote ${baselineFile}\n`);
  }
  if (opts.json) printJson(history);
  else printHistory(history);
}
