/** Text renderings of a cycle's state shared by the workflow (UI details) and the CLI. Pure. */
import type { CloudCycleState, StepState } from './cycle-state';
import type { SoakFinding } from './contract';

const ICON: Record<StepState['status'], string> = {
  pending: '·',
  running: '▶',
  succeeded: '✔',
  failed: '✖',
  skipped: '↷',
  reused: '♻',
  'awaiting-operator': '⏸',
};

/** One-line summary of a step's output for tables: image id, cluster id, verdict... */
export function summarizeOutput(output: unknown): string {
  if (output === null || typeof output !== 'object') return output === undefined ? '' : String(output);
  const o = output as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of ['imageId', 'kernelRelease', 'latest', 'clusterId', 'verdict', 'checks', 'removed']) {
    const v = o[key];
    if (v === undefined) continue;
    parts.push(`${key}=${Array.isArray(v) ? v.join(',') : String(v)}`);
  }
  if (Array.isArray(o.releases)) parts.push(`releases=${(o.releases as string[]).join('; ')}`);
  if (Array.isArray(o.paths)) parts.push(`${o.paths.length} registry keys`);
  if (o.details && typeof o.details === 'object') {
    // A provider decides what `status` shows of its outputs by what it puts first in
    // `details` (cluster names, workspaces, regions...): no cloud is named here.
    for (const [k, v] of Object.entries(o.details as Record<string, unknown>).slice(0, 4)) parts.push(`${k}=${String(v)}`);
  }
  if (o.cacheHit === true) parts.push('cache hit');
  if (o.counts && typeof o.counts === 'object') {
    const c = o.counts as Record<string, number>;
    parts.push(`new=${c.new} known=${c.known} fixed=${c.fixed}`);
  }
  return parts.join(' ');
}

function duration(ms: number | undefined): string {
  if (ms === undefined) return '';
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms / 1000)}s`;
}

/** The cycle as Markdown, shown as the workflow's current details in the Temporal UI. */
export function renderStepsMarkdown(state: CloudCycleState): string {
  const lines = [
    `**${state.rc}** on **${state.cloud}** / **${state.flavor}**: ${state.phase}${state.currentStep ? `, step \`${state.currentStep}\`` : ''}`,
  ];
  if (state.parked) {
    lines.push('', `⏸ **${state.parked.step}** failed and waits for an operator until ${state.parked.deadline}:`, '', `> ${state.parked.error.type}: ${state.parked.error.message.split('\n')[0]}`, '', `Run \`rcdebug rerun ${state.cycleId} --retry\` or \`--skip\`, or \`rcdebug cancel\`.`);
  }
  lines.push('', '| step | state | attempts | time | output |', '| --- | --- | --- | --- | --- |');
  for (const s of state.steps) {
    const out = s.error ? `${s.error.type}: ${s.error.message.split('\n')[0]}` : s.progress && s.status === 'running' ? s.progress : summarizeOutput(s.output);
    lines.push(`| ${s.name} | ${ICON[s.status]} ${s.status} | ${s.attempts || ''} | ${duration(s.durationMs)} | ${out.replace(/\|/g, '\\|')} |`);
  }
  lines.push(...renderSoakFindings(state.findings ?? []));
  return lines.join('\n');
}

/** The findings the soak checks saw so far, as a table under the steps (nothing when none). */
function renderSoakFindings(findings: readonly SoakFinding[]): string[] {
  if (findings.length === 0) return [];
  const cell = (t: string) => t.replace(/\|/g, '\\|');
  const lines = ['', `**Findings during the soak** (${findings.length}; log-harvest's are authoritative):`, '', '| finding | type | status | node(s) | first seen | count |', '| --- | --- | --- | --- | --- | --- |'];
  for (const f of findings) {
    lines.push(`| ${cell(f.title)} | ${f.type} | ${f.status} | ${cell(f.nodes.join(', '))} | check ${f.firstSeen.check}, ${f.firstSeen.at.slice(11, 19)} | ${f.count} |`);
  }
  return lines;
}
