/**
 * Findings: reports from many logs grouped by signature and compared with the baseline.
 */
import type { FindingStatus, FindingSummary } from '../contract';
import type { BaselineEntry, BaselineStatus } from './baseline';
import type { KernelReport } from './kernel-report';
import { typeOfTitle } from './report-types';
import { signatureOf } from './signature';
import { frameOfTitle } from './title-normalize';
import type { FindingSource } from './source-lines';

/** One console log to analyse and where it came from. */
export interface LogSource {
  path: string;
  node: string;
  cloud?: string;
  /** Reference of the log in the artifact store, for the reproducer. */
  artifact?: string;
}

/** How to get the failing kernel back: filled from what the caller knows. */
export interface Reproducer {
  kernelDigest?: string;
  kernelRelease?: string;
  imageId?: string;
  /** Module under test as `name version`. */
  module?: string;
  moduleVersion?: string;
  /** Shell commands that reproduce the run by hand. */
  commands?: string[];
}

/** Where a report was seen. */
export interface Sighting {
  source: string;
  node: string;
  cloud?: string | undefined;
  /** 1-based line of the report header in that log. */
  line: number;
}

export interface Finding {
  signature: string;
  title: string;
  alternativeTitles: string[];
  type: string;
  frame: string;
  /** Every sighting of it was damaged: the title may be misleading. */
  corrupted: boolean;
  status: FindingStatus;
  /** Number of reports with this signature. */
  count: number;
  nodes: string[];
  clouds: string[];
  firstSeen?: Sighting | undefined;
  lastSeen?: Sighting | undefined;
  /** Report text of the first sighting (with source lines once log-harvest resolved its frames). */
  report: string;
  /** Source line of the guilty frame, when a debug binary resolved it. */
  source?: FindingSource | undefined;
  /** The caller's reproducer plus the node and log of the first sighting. */
  reproducer: Reproducer & { node?: string | undefined; logArtifact?: string | undefined };
  /** The baseline entry it matched. */
  baseline?: { status: BaselineStatus; link?: string | undefined; note?: string | undefined; where: string } | undefined;
}

export interface FindingsResult {
  findings: Finding[];
  counts: { new: number; known: number; fixed: number; total: number };
  /** Warnings about the inputs (binary data, cut lines), each naming its file. */
  warnings: string[];
  /** One line on the source lines of the frames: where they came from, or why there are none. */
  sourceLines?: string | undefined;
}

/** A report and the log it came from. */
export interface SourcedReport {
  report: KernelReport;
  source: LogSource;
}

const STATUS_ORDER: Record<FindingStatus, number> = { new: 0, known: 1, fixed: 2 };

/**
 * Groups reports by signature as they come, keeping one finding per signature (with the
 * text of its first report), so memory grows with the number of distinct bugs, not of reports.
 */
export class FindingsAccumulator {
  private readonly bySignature = new Map<string, Finding>();
  private readonly known: Map<string, BaselineEntry>;

  constructor(
    private readonly baseline: readonly BaselineEntry[],
    private readonly reproducer: Reproducer = {},
  ) {
    this.known = new Map(baseline.map((b) => [b.signature, b]));
  }

  /** Adds one report seen in `source`. */
  add(report: KernelReport, source: LogSource): void {
    const signature = signatureOf(report.title);
    const seen: Sighting = { source: source.path, node: source.node, cloud: source.cloud, line: report.startLine };
    let f = this.bySignature.get(signature);
    if (!f) {
      // A baseline entry may name the bug by one of its alternative titles.
      const entry =
        this.known.get(signature) ?? report.alternativeTitles.map((t) => this.known.get(signatureOf(t))).find((e) => e !== undefined);
      f = {
        signature,
        title: report.title,
        alternativeTitles: report.alternativeTitles,
        type: report.type,
        frame: report.frame,
        corrupted: report.corrupted,
        status: entry && entry.status !== 'fixed' ? 'known' : 'new',
        count: 0,
        nodes: [],
        clouds: [],
        firstSeen: seen,
        report: report.report,
        reproducer: { ...this.reproducer, node: source.node, logArtifact: source.artifact ?? source.path },
        baseline: entry ? { status: entry.status, link: entry.link, note: entry.note, where: entry.where } : undefined,
      };
      this.bySignature.set(signature, f);
    }
    f.count++;
    f.lastSeen = seen;
    f.corrupted &&= report.corrupted;
    if (!f.nodes.includes(source.node)) f.nodes.push(source.node);
    if (source.cloud && !f.clouds.includes(source.cloud)) f.clouds.push(source.cloud);
  }

  /**
   * The findings: new first, then known, then the baseline's open issues no log showed
   * (`fixed`). A listed fixed bug that shows up again is a regression, so new.
   */
  findings(): Finding[] {
    const matched = new Set([...this.bySignature.values()].map((f) => f.baseline?.where));
    const fixed: Finding[] = this.baseline
      .filter((b) => b.status !== 'fixed' && !matched.has(b.where))
      .map((b) => ({
        signature: b.signature,
        title: b.signature,
        alternativeTitles: [],
        type: typeOfTitle(b.signature),
        frame: frameOfTitle(b.signature),
        corrupted: false,
        status: 'fixed',
        count: 0,
        nodes: [],
        clouds: [],
        report: '',
        reproducer: { ...this.reproducer },
        baseline: { status: b.status, link: b.link, note: b.note, where: b.where },
      }));
    return [...this.bySignature.values(), ...fixed].sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status]);
  }
}

/** Groups reports by signature and classifies them against the baseline (see FindingsAccumulator). */
export function buildFindings(reports: readonly SourcedReport[], baseline: readonly BaselineEntry[], reproducer: Reproducer = {}): Finding[] {
  const acc = new FindingsAccumulator(baseline, reproducer);
  for (const { report, source } of reports) acc.add(report, source);
  return acc.findings();
}

/** Counts of findings by status. */
export function countFindings(findings: readonly Finding[]): FindingsResult['counts'] {
  const counts = { new: 0, known: 0, fixed: 0, total: findings.length };
  for (const f of findings) counts[f.status]++;
  return counts;
}

/** The small shape the workflow carries. */
export function toSummary(f: Finding): FindingSummary {
  return { title: f.title, signature: f.signature, status: f.status, type: f.type, nodes: [...f.nodes], count: f.count, ...(f.source ? { source: `${f.source.file}:${f.source.line}` } : {}) };
}
