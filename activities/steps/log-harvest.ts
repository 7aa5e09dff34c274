/**
 * log-harvest, for every cloud: the nodes' logs (consoles, dmesg, kmemleak output) a cloud
 * supplies as console sources, through the findings engine, the Markdown, JSON and JUnit
 * reports into the artifact store, and the step's output with a verdict per node. A cloud
 * supplies only how it gets its logs and how a finding is reproduced by hand there.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ArtifactStore } from '../artifacts/store';
import type { ArtifactRef, LogHarvestInput, LogHarvestOutput, StepIO } from '../../src/domain/contract';
import { resolveInputPath } from '../../src/domain/paths';
import { analyzeLogs, renderJson, renderJunit, renderMarkdown, toSummary, type LogSource } from '../../src/domain/findings/index';
import type { DebugInfo } from '../symbolize/debug-binaries';
import { symbolizeFindings } from '../symbolize/symbolize-findings';

/** A log that is already a file on this worker (a console a VM writes straight into the artifact store). */
export interface StoredConsole {
  node: string;
  file: string;
  artifact: ArtifactRef;
}

/** A log a cloud read through its API; the step stores it under `key` before parsing it. */
export interface FetchedConsole {
  node: string;
  /** Relative name, unique in the cycle: `console/<instance>.log`, `cloudwatch/<stream>.log`. */
  key: string;
  text: string;
}

/** One log of one node, as a cloud gives it. */
export type ConsoleSource = StoredConsole | FetchedConsole;

/** What a cloud hands the log-harvest step. */
export interface ConsoleSources {
  /** Every log of the cycle's nodes; a node may have several (console, dmesg, kmemleak). */
  sources: ConsoleSource[];
  /** Every node of the cluster, including those without a log (they are judged clean). */
  nodes: string[];
  artifacts: ArtifactStore;
  /** Artifact key prefix of the cycle: fetched logs go under `<base>/log-harvest/`, reports under `<base>/reports/`. */
  base: string;
  /** Worker folder the fetched logs are written to for the findings engine. */
  workDir: string;
  /** Shell commands that reproduce the cycle's kernel by hand on this cloud. */
  commands: string[];
  /** The debug kernel and modules that resolve frames to source lines; a cloud without them says why. */
  debug?: DebugInfo | undefined;
}

/** The log-harvest step over a cloud's console sources. */
export async function harvestLogs(input: LogHarvestInput, io: StepIO, c: ConsoleSources): Promise<LogHarvestOutput> {
  const { ctx } = input;
  const logs: LogSource[] = [];
  for (const s of c.sources) {
    if ('file' in s) {
      logs.push({ path: s.file, node: s.node, cloud: ctx.cloud, artifact: s.artifact });
      continue;
    }
    const path = join(c.workDir, s.key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, s.text);
    const artifact = await c.artifacts.putText(`${c.base}/log-harvest/${s.key}`, s.text);
    logs.push({ path, node: s.node, cloud: ctx.cloud, artifact });
  }
  io.progress({ message: `analysing ${logs.length} log(s)` });
  const parsed = await analyzeLogs(logs, {
    baseline: ctx.baseline ? resolveInputPath(ctx.baseline) : undefined,
    reproducer: {
      kernelDigest: input.kernel?.digest ?? 'unknown',
      kernelRelease: input.kernel?.kernelRelease ?? 'unknown',
      imageId: input.image?.imageId ?? 'unknown',
      module: `${ctx.module.name} ${ctx.module.version}`,
      moduleVersion: ctx.module.version,
      commands: c.commands,
    },
  });
  io.progress({ message: `resolving the frames of ${parsed.findings.length} finding(s) to source lines` });
  const result = await symbolizeFindings(parsed, c.debug ?? { unavailable: `the ${ctx.cloud} cloud keeps no debug binaries (vmlinux, .ko) for log-harvest yet` }, { io });
  const reportBase = `${c.base}/reports`;
  const [markdown, json, junit] = await Promise.all([
    c.artifacts.putText(`${reportBase}/findings.md`, renderMarkdown(result)),
    c.artifacts.putText(`${reportBase}/findings.json`, renderJson(result)),
    c.artifacts.putText(`${reportBase}/findings.junit.xml`, renderJunit(result)),
  ]);
  const findings = result.findings.map(toSummary);
  const nodes: Record<string, 'clean' | 'findings'> = {};
  // A fixed finding was not seen: it does not make a node dirty.
  for (const name of c.nodes) nodes[name] = findings.some((f) => f.status !== 'fixed' && f.nodes.includes(name)) ? 'findings' : 'clean';
  return { verdict: result.counts.new > 0 ? 'findings' : 'clean', counts: result.counts, findings, reports: { markdown, json, junit }, nodes };
}
