import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import { UnreachableError, isUserError } from '../../../domain/errors';
import type { HistoryOptions } from './findings-history';

/** Exit code for usage errors and bad input (missing file, malformed baseline). */
const EXIT_BAD_INPUT = 2;

/**
 * Runs a command body; a UserError becomes a message on stderr and exit code 2. A server that
 * does not answer goes to the CLI's own handler (exit 10, "try later").
 */
async function guarded(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    if (!isUserError(err) || err instanceof UnreachableError) throw err;
    process.stderr.write(`rcdebug findings: ${err.message}${err.hint ? `\n  hint: ${err.hint}` : ''}\n`);
    process.exitCode = EXIT_BAD_INPUT;
  }
}

/**
 * `rcdebug findings parse <log...> [--json]`: the reports in each log, in log order. Reports
 * are printed as they are found, so a log of any size is parsed in bounded memory.
 */
export async function findingsParse(logs: string[], opts: { json?: boolean }): Promise<void> {
  const { parseKernelLogFile } = await import('../../../domain/findings/parse-log');
  const { checkLogReadable, describeDiagnostics } = await import('../../../domain/findings/log-lines');
  // Every log is checked first: a bad path must not leave half a JSON array on stdout.
  for (const log of logs) await checkLogReadable(log);
  // A reader that stops early (`| head`) is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(0);
  });
  let printed = 0;
  if (opts.json) process.stdout.write('[');
  for (const log of logs) {
    let count = 0;
    const lines: string[] = [];
    const { diagnostics } = await parseKernelLogFile(log, {
      keep: false,
      onReport: (r) => {
        count++;
        if (opts.json) {
          const item = JSON.stringify({ log, ...r }, null, 2).replace(/\n/g, '\n  ');
          process.stdout.write(`${printed++ === 0 ? '' : ','}\n  ${item}`);
        } else {
          lines.push(`  line ${r.startLine}-${r.endLine}: ${r.title} [${r.type}${r.corrupted ? ', corrupted' : ''}]\n`);
        }
      },
    });
    for (const w of describeDiagnostics(log, diagnostics)) process.stderr.write(`warning: ${w}\n`);
    if (!opts.json) process.stdout.write(`${log}: ${count} report(s)\n${lines.join('')}`);
  }
  if (opts.json) process.stdout.write(printed === 0 ? ']\n' : '\n]\n');
}

const FORMATS = ['md', 'json', 'junit'] as const;
type ReportFormat = (typeof FORMATS)[number];
const FILE_NAMES: Record<ReportFormat, string> = { md: 'findings.md', json: 'findings.json', junit: 'findings.junit.xml' };

/**
 * `rcdebug findings report <log...> [--baseline F] [--format md|json|junit] [--out DIR]`.
 * A log given as `node=path` is attributed to that node; otherwise the file name is the node.
 */
export async function findingsReport(
  logs: string[],
  opts: { baseline?: string; format?: string; out?: string; title?: string },
): Promise<void> {
  const { UserError } = await import('../../../domain/errors');
  const { analyzeLogs, renderJson, renderJunit, renderMarkdown } = await import('../../../domain/findings/index');
  const formats = (opts.format ?? 'md').split(',').map((f) => f.trim());
  for (const f of formats) {
    if (!(FORMATS as readonly string[]).includes(f)) {
      throw new UserError(`--format ${f}: unknown format`, '--format', `use one or more of ${FORMATS.join(', ')}`);
    }
  }
  const sources = logs.map((arg) => {
    const eq = arg.indexOf('=');
    return eq > 0 ? { node: arg.slice(0, eq), path: arg.slice(eq + 1) } : { node: basename(arg), path: arg };
  });
  const result = await analyzeLogs(sources, { baseline: opts.baseline });
  for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
  const render = (f: ReportFormat) =>
    f === 'md' ? renderMarkdown(result, { title: opts.title }) : f === 'json' ? renderJson(result) : renderJunit(result);
  if (!opts.out) {
    for (const f of formats) process.stdout.write(render(f as ReportFormat));
    return;
  }
  await mkdir(opts.out, { recursive: true });
  for (const f of formats as ReportFormat[]) {
    const file = join(opts.out, FILE_NAMES[f]);
    await writeFile(file, render(f));
    process.stderr.write(`wrote ${file}\n`);
  }
}

/** `rcdebug findings ...`: parse kernel logs, and report findings against a baseline. */
export function registerFindingsCommands(program: Command): void {
  const findings = program
    .command('findings')
    .description('kernel reports in console logs, as findings')
    // Usage errors exit 2 like bad input; help and version keep their own code.
    .exitOverride((err) => {
      const usage = err.exitCode !== 0 && !['commander.help', 'commander.helpDisplayed', 'commander.version'].includes(err.code);
      process.exit(usage ? EXIT_BAD_INPUT : err.exitCode);
    });
  findings
    .command('parse')
    .description('print the kernel reports found in each log, in log order')
    .argument('<log...>', 'console log files')
    .option('--json', 'print one JSON array of reports and nothing else on stdout')
    .action((logs: string[], opts: { json?: boolean }) => guarded(() => findingsParse(logs, opts)));
  findings
    .command('report')
    .description('group the reports of many logs into findings (new / known / fixed) and render them')
    .argument('<log...>', 'console log files; NODE=PATH names the node a log came from')
    .option('--baseline <file>', 'known-issues baseline (YAML)')
    .option('--format <formats>', 'md, json or junit (comma-separated for several)', 'md')
    .option('--out <dir>', 'write findings.md / findings.json / findings.junit.xml there instead of stdout')
    .option('--title <text>', 'title of the Markdown report')
    .action((logs: string[], opts: { baseline?: string; format?: string; out?: string; title?: string }) =>
      guarded(() => findingsReport(logs, opts)),
    );
  findings
    .command('history')
    .description('the findings of closed cycles per signature: first and last seen, the runs it appeared in, where it stopped appearing')
    .option('--rc <rc>', 'only the cycles of this release candidate')
    .option('--since <date>', 'only the cycles started at or after this date (2026-11-01) or ISO time')
    .option('--json', 'print the history as JSON and nothing else on stdout')
    .option('--html <file>', 'also write a static page with a timeline per signature (no server, no network)')
    .option('--write-baseline <file>', 'also write a known-issues baseline: still appearing = open, stopped = fixed (keeps links, notes and wontfix of the file it replaces)')
    .option('--page-size <n>', 'cycles per page of the Temporal listing', '200')
    .action(async (opts: HistoryOptions) => {
      const { findingsHistory } = await import('./findings-history');
      await guarded(() => findingsHistory(opts));
    });
}
