/**
 * Findings across cycles: from the findings of closed cycles to one history per signature
 * (first seen, last seen, the runs it appeared in, the release candidate where it stopped
 * appearing). Pure: the caller reads the cycles (a Temporal visibility listing) and hands
 * them in one at a time.
 *
 * Memory: `add` keeps of each cycle only its run, cloud/flavor and the numbers of its
 * signatures (each signature's text is held once), so thousands of cycles cost a few hundred
 * kilobytes however large their recorded state was.
 */

/** The findings one closed cloud cycle recorded (its log-harvest output), as the history needs them. */
export interface ClosedCycle {
  /** The run: the id of the rcCycle the cloud cycle belongs to (what `rcdebug status` takes). */
  cycleId: string;
  rc: string;
  cloud: string;
  flavor: string;
  /** ISO time the cloud cycle started. */
  startedAt: string;
  /** The findings it saw (log-harvest's, without those only listed as fixed by the baseline). */
  findings: ReadonlyArray<{ signature: string; title: string; type: string; source?: string | undefined }>;
}

/** Which cycles count. */
export interface HistoryFilter {
  /** Only cycles of this release candidate. */
  rc?: string | undefined;
  /** Only cycles started at or after this time. */
  since?: Date | undefined;
}

/** One nightly run, as a column of the timeline. */
export interface HistoryRun {
  cycleId: string;
  rc: string;
  /** ISO time its first cloud cycle started. */
  date: string;
  /** `cloud/flavor` of its cloud cycles that recorded findings (clean ones included). */
  clouds: string[];
}

/** Where a signature was seen: the run, its release candidate and date, and the cloud. */
export interface HistorySighting {
  rc: string;
  cycleId: string;
  date: string;
  /** `cloud/flavor` keys it appeared on in that run. */
  clouds: string[];
}

/** The history of one signature. */
export interface SignatureHistory {
  signature: string;
  /** Its title as last seen. */
  title: string;
  type: string;
  /** `file:line` of the guilty frame, as last resolved. */
  source?: string | undefined;
  firstSeen: HistorySighting;
  lastSeen: HistorySighting;
  /** The runs it appeared in, in nightly order (ids, and their index in `runs`). */
  cycles: string[];
  runIndexes: number[];
  /**
   * The first release candidate after the one of its last sighting whose runs (on a cloud and
   * flavor where it had appeared) no longer showed it; absent while it still appears, or when
   * only runs of the same release candidate came after.
   */
  stoppedIn?: string | undefined;
  /** Index in `runs` of the first run of `stoppedIn`. */
  stoppedAtRun?: number | undefined;
  /** Runs after its last sighting, on a cloud and flavor where it had appeared, that did not show it. */
  absentFor: number;
}

/** The whole history: runs in nightly order, release candidates in the order they first ran, signatures by first sighting. */
export interface FindingsHistory {
  runs: HistoryRun[];
  rcs: string[];
  signatures: SignatureHistory[];
  /** Cloud cycles given (after the filter) and how many of them recorded no findings to read. */
  cycles: number;
  withoutHarvest: number;
}

interface CompactCycle {
  run: string;
  startedAt: string;
  rc: string;
  key: number;
  sigs: number[];
}

/** Collects closed cycles one at a time and computes the per-signature history at the end. */
export class HistoryBuilder {
  private readonly cycles: CompactCycle[] = [];
  private readonly sigIndex = new Map<string, number>();
  private readonly sigInfo: Array<{ signature: string; title: string; type: string; source?: string | undefined; at: string }> = [];
  private readonly keys: string[] = [];
  private withoutHarvest = 0;

  constructor(private readonly filter: HistoryFilter = {}) {}

  /** Whether a cycle of this rc, started then, passes the filter. */
  accepts(rc: string, startedAt: string): boolean {
    if (this.filter.rc !== undefined && rc !== this.filter.rc) return false;
    if (this.filter.since && Date.parse(startedAt) < this.filter.since.getTime()) return false;
    return true;
  }

  /** A closed cloud cycle that ran no log-harvest (failed, aborted, cancelled): it says nothing of any signature. */
  addWithoutHarvest(rc: string, startedAt: string): void {
    if (this.accepts(rc, startedAt)) this.withoutHarvest++;
  }

  add(cycle: ClosedCycle): void {
    if (!this.accepts(cycle.rc, cycle.startedAt)) return;
    const keyName = `${cycle.cloud}/${cycle.flavor}`;
    let key = this.keys.indexOf(keyName);
    if (key < 0) key = this.keys.push(keyName) - 1;
    const sigs = new Set<number>();
    for (const f of cycle.findings) {
      let i = this.sigIndex.get(f.signature);
      if (i === undefined) {
        i = this.sigInfo.push({ signature: f.signature, title: f.title, type: f.type, source: f.source, at: cycle.startedAt }) - 1;
        this.sigIndex.set(f.signature, i);
      }
      const info = this.sigInfo[i] as (typeof this.sigInfo)[number];
      // The title, type and line of the latest sighting win: a parser or symbolizer improved since.
      if (cycle.startedAt >= info.at) Object.assign(info, { title: f.title, type: f.type, source: f.source ?? info.source, at: cycle.startedAt });
      sigs.add(i);
    }
    this.cycles.push({ run: cycle.cycleId, startedAt: cycle.startedAt, rc: cycle.rc, key, sigs: [...sigs] });
  }

  build(): FindingsHistory {
    const runs = this.orderRuns();
    const rcs: string[] = [];
    for (const r of runs) if (!rcs.includes(r.run.rc)) rcs.push(r.run.rc);
    const signatures = this.sigInfo.map((info, sig) => historyOf(info, sig, runs));
    signatures.sort((a, b) => (a.runIndexes[0] as number) - (b.runIndexes[0] as number) || (a.signature < b.signature ? -1 : a.signature > b.signature ? 1 : 0));
    return { runs: runs.map((r) => r.run), rcs, signatures, cycles: this.cycles.length + this.withoutHarvest, withoutHarvest: this.withoutHarvest };
  }

  /** Runs in nightly order (by their first cloud cycle's start, then id), each with its cloud cycles. */
  private orderRuns(): RunCycles[] {
    const byRun = new Map<string, RunCycles>();
    for (const c of this.cycles) {
      let r = byRun.get(c.run);
      if (!r) byRun.set(c.run, (r = { run: { cycleId: c.run, rc: c.rc, date: c.startedAt, clouds: [] }, keys: new Map() }));
      if (c.startedAt < r.run.date) r.run.date = c.startedAt;
      const keyName = this.keys[c.key] as string;
      if (!r.run.clouds.includes(keyName)) r.run.clouds.push(keyName);
      const sigs = r.keys.get(keyName) ?? new Set<number>();
      for (const s of c.sigs) sigs.add(s);
      r.keys.set(keyName, sigs);
    }
    const runs = [...byRun.values()];
    for (const r of runs) r.run.clouds.sort();
    return runs.sort((a, b) => (a.run.date < b.run.date ? -1 : a.run.date > b.run.date ? 1 : a.run.cycleId < b.run.cycleId ? -1 : 1));
  }
}

interface RunCycles {
  run: HistoryRun;
  /** `cloud/flavor` → the signatures its cloud cycle saw. */
  keys: Map<string, Set<number>>;
}

function sighting(r: RunCycles, sig: number): HistorySighting {
  const clouds = [...r.keys].filter(([, sigs]) => sigs.has(sig)).map(([k]) => k).sort();
  return { rc: r.run.rc, cycleId: r.run.cycleId, date: r.run.date, clouds };
}

function historyOf(info: { signature: string; title: string; type: string; source?: string | undefined }, sig: number, runs: RunCycles[]): SignatureHistory {
  const runIndexes: number[] = [];
  const seenOn = new Set<string>();
  runs.forEach((r, i) => {
    let seen = false;
    for (const [k, sigs] of r.keys) {
      if (!sigs.has(sig)) continue;
      seen = true;
      seenOn.add(k);
    }
    if (seen) runIndexes.push(i);
  });
  const first = runs[runIndexes[0] as number] as RunCycles;
  const lastIndex = runIndexes[runIndexes.length - 1] as number;
  const last = runs[lastIndex] as RunCycles;
  let absentFor = 0;
  let stoppedIn: string | undefined;
  let stoppedAtRun: number | undefined;
  for (let i = lastIndex + 1; i < runs.length; i++) {
    const r = runs[i] as RunCycles;
    // A run on other clouds or flavors only says nothing about this signature.
    if (![...r.keys.keys()].some((k) => seenOn.has(k))) continue;
    absentFor++;
    if (stoppedIn === undefined && r.run.rc !== last.run.rc) {
      stoppedIn = r.run.rc;
      stoppedAtRun = i;
    }
  }
  return {
    signature: info.signature,
    title: info.title,
    type: info.type,
    ...(info.source ? { source: info.source } : {}),
    firstSeen: sighting(first, sig),
    lastSeen: sighting(last, sig),
    cycles: runIndexes.map((i) => (runs[i] as RunCycles).run.cycleId),
    runIndexes,
    ...(stoppedIn !== undefined ? { stoppedIn, stoppedAtRun } : {}),
    absentFor,
  };
}

/** The history of a list of cycles (tests and small inputs; readers of thousands use `HistoryBuilder`). */
export function findingsHistory(cycles: Iterable<ClosedCycle>, filter: HistoryFilter = {}): FindingsHistory {
  const b = new HistoryBuilder(filter);
  for (const c of cycles) b.add(c);
  return b.build();
}
