/**
 * The Markdown findings report: a summary table first, then each finding with where it was
 * seen, how to reproduce it, and its report text.
 */
import type { Finding, FindingsResult } from './finding';

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function fence(text: string): string {
  // A fence longer than any backtick run inside the text cannot be closed by it.
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const f = '`'.repeat(longest + 1);
  return `${f}\n${text}\n${f}`;
}

function code(text: string): string {
  // Like fence: a code span delimited by more backticks than the text holds in a row.
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const f = '`'.repeat(longest + 1);
  return longest ? `${f} ${text} ${f}` : `${f}${text}${f}`;
}

function anchor(i: number): string {
  return `finding-${i + 1}`;
}

function seenAt(s: Finding['firstSeen']): string {
  if (!s) return '-';
  return `${s.node}${s.cloud ? ` (${s.cloud})` : ''}, ${s.source}:${s.line}`;
}

function section(f: Finding, i: number): string {
  const out = [`### <a id="${anchor(i)}"></a>${i + 1}. ${f.title}`, ''];
  out.push(`- **Status:** ${f.status}${f.baseline ? ` (baseline: ${f.baseline.status}, ${f.baseline.where})` : ''}`);
  out.push(`- **Signature:** \`${f.signature}\``);
  out.push(`- **Type:** ${f.type}${f.frame ? `; **frame:** \`${f.frame}\`` : ''}${f.corrupted ? '; **corrupted report**: the title may be wrong' : ''}`);
  if (f.baseline?.link) out.push(`- **Link:** ${f.baseline.link}`);
  if (f.baseline?.note) out.push(`- **Note:** ${f.baseline.note}`);
  if (f.count > 0) {
    out.push(`- **Seen:** ${f.count} time(s) on ${f.nodes.join(', ')}${f.clouds.length ? ` (${f.clouds.join(', ')})` : ''}`);
    out.push(`- **First seen:** ${seenAt(f.firstSeen)}; **last seen:** ${seenAt(f.lastSeen)}`);
  } else {
    out.push('- **Seen:** not in these logs');
  }
  if (f.source) {
    const text = f.source.text?.trim();
    out.push(`- **Source:** \`${f.source.file}:${f.source.line}\`${text ? `: ${code(text)}` : ''}`);
  }
  if (f.alternativeTitles.length) out.push(`- **Also known as:** ${f.alternativeTitles.map((t) => `\`${t}\``).join(', ')}`);
  const r = f.reproducer;
  const facts: Array<[string, string | undefined]> = [
    ['kernel digest', r.kernelDigest], ['kernel release', r.kernelRelease], ['image', r.imageId],
    ['module', r.module], ['module version', r.moduleVersion], ['node', r.node], ['log', r.logArtifact],
  ];
  out.push('', '**Reproducer**', '');
  for (const [k, v] of facts) if (v) out.push(`- ${k}: \`${v}\``);
  if (r.commands?.length) out.push('', fence(r.commands.join('\n')));
  if (f.report) out.push('', '**Report**', '', fence(f.report));
  return out.join('\n');
}

/** Renders the findings as Markdown. */
export function renderMarkdown(r: FindingsResult, meta: { title?: string } = {}): string {
  const out = [`# ${meta.title ?? 'Kernel findings'}`, ''];
  out.push(`${r.counts.new} new, ${r.counts.known} known, ${r.counts.fixed} fixed (${r.counts.total} in total).`, '');
  if (r.sourceLines) out.push(r.sourceLines, '');
  if (r.findings.length === 0) {
    out.push('No kernel reports in the logs.');
  } else {
    out.push('| # | status | title | type | count | nodes | clouds |', '| --- | --- | --- | --- | --- | --- | --- |');
    r.findings.forEach((f, i) => {
      out.push(`| [${i + 1}](#${anchor(i)}) | ${f.status} | ${cell(f.title)} | ${f.type} | ${f.count} | ${cell(f.nodes.join(', '))} | ${cell(f.clouds.join(', '))} |`);
    });
  }
  if (r.warnings.length) out.push('', '## Warnings', '', ...r.warnings.map((w) => `- ${w}`));
  if (r.findings.length) out.push('', '## Findings', '', r.findings.map(section).join('\n\n'));
  return out.join('\n') + '\n';
}
