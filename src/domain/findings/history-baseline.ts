/**
 * A known-issues baseline written from the findings history, in the format `parseBaseline`
 * reads (the cycle's `baseline`, the soak's `stopOn: new-finding` and the verdict use it): a
 * signature that still appears is `open`, one that stopped appearing in a later release
 * candidate is `fixed` (so its return is a new finding, a regression). What a team wrote in an
 * earlier baseline is kept: its links, its notes, `wontfix`, and the entries the history does
 * not show.
 */
import { stringify } from 'yaml';
import type { BaselineEntry, BaselineStatus } from './baseline';
import type { FindingsHistory, SignatureHistory } from './history';

/** How a note this writer made begins: such a note is written anew, a team's own is kept. */
const GENERATED = 'first seen ';

function note(s: SignatureHistory): string {
  const runs = `${s.cycles.length} run(s)`;
  const stopped = s.stoppedIn ? `, stopped in ${s.stoppedIn}` : '';
  return `${GENERATED}${s.firstSeen.rc} ${s.firstSeen.date.slice(0, 10)} (${s.firstSeen.cycleId}), last seen ${s.lastSeen.rc} ${s.lastSeen.date.slice(0, 10)}, in ${runs}${stopped}`;
}

/** The baseline YAML; `existing` is the baseline it replaces, if any. */
export function renderHistoryBaseline(h: FindingsHistory, existing: readonly BaselineEntry[] = []): string {
  const old = new Map(existing.map((e) => [e.signature, e]));
  const entries: Array<{ signature: string; status: BaselineStatus; link?: string; note?: string }> = [];
  for (const s of h.signatures) {
    const before = old.get(s.signature);
    old.delete(s.signature);
    const status: BaselineStatus = before?.status === 'wontfix' ? 'wontfix' : s.stoppedIn ? 'fixed' : 'open';
    entries.push({ signature: s.signature, status, ...(before?.link ? { link: before.link } : {}), note: before?.note && !before.note.startsWith(GENERATED) ? before.note : note(s) });
  }
  for (const e of old.values()) entries.push({ signature: e.signature, status: e.status, ...(e.link ? { link: e.link } : {}), ...(e.note ? { note: e.note } : {}) });
  const head = [
    '# Known-issues baseline written by `rcdebug findings history --write-baseline`',
    `# from ${h.runs.length} run(s) of ${h.rcs.join(', ') || 'no release candidate'}: open = still appears, fixed = stopped appearing.`,
  ].join('\n');
  return `${head}\n${entries.length ? stringify(entries, { lineWidth: 0 }) : '[]\n'}`;
}
