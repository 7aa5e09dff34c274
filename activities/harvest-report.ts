/**
 * The end of every cloud's log-harvest step: the collected logs through the findings engine,
 * the Markdown, JSON and JUnit reports into the artifact store, and the step's output with a
 * verdict per node. Clouds differ only in how they collect logs and how a finding is
 * reproduced by hand.
 */
import type { ArtifactStore } from './artifacts/store';
import type { LogHarvestInput, LogHarvestOutput } from '../src/domain/contract';
import { resolveInputPath } from '../src/domain/paths';
import { analyzeLogs, renderJson, renderJunit, renderMarkdown, toSummary, type LogSource } from '../src/domain/findings/index';

export interface HarvestReportOptions {
  input: LogHarvestInput;
  sources: LogSource[];
  /** Every node of the cluster, including those whose log is missing (they are judged clean). */
  nodes: string[];
  artifacts: ArtifactStore;
  /** Artifact key prefix of the reports, e.g. `<cycle>/reports`. */
  reportBase: string;
  /** Shell commands that reproduce the cycle's kernel by hand on this cloud. */
  commands: string[];
}

export async function harvestReport(o: HarvestReportOptions): Promise<LogHarvestOutput> {
  const { ctx } = o.input;
  const result = await analyzeLogs(o.sources, {
    baseline: ctx.baseline ? resolveInputPath(ctx.baseline) : undefined,
    reproducer: {
      kernelDigest: o.input.kernel?.digest ?? 'unknown',
      kernelRelease: o.input.kernel?.kernelRelease ?? 'unknown',
      imageId: o.input.image?.imageId ?? 'unknown',
      module: `${ctx.module.name} ${ctx.module.version}`,
      moduleVersion: ctx.module.version,
      commands: o.commands,
    },
  });
  const [markdown, json, junit] = await Promise.all([
    o.artifacts.putText(`${o.reportBase}/findings.md`, renderMarkdown(result)),
    o.artifacts.putText(`${o.reportBase}/findings.json`, renderJson(result)),
    o.artifacts.putText(`${o.reportBase}/findings.junit.xml`, renderJunit(result)),
  ]);
  const findings = result.findings.map(toSummary);
  const nodes: Record<string, 'clean' | 'findings'> = {};
  // A fixed finding was not seen: it does not make a node dirty.
  for (const name of o.nodes) nodes[name] = findings.some((f) => f.status !== 'fixed' && f.nodes.includes(name)) ? 'findings' : 'clean';
  return { verdict: result.counts.new > 0 ? 'findings' : 'clean', counts: result.counts, findings, reports: { markdown, json, junit }, nodes };
}
