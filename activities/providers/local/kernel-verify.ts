import { isAbsolute, join, relative } from 'node:path';
import type { StepIO } from '../../../src/domain/contract';
import { InfraError, UserError } from '../../../src/domain/errors';
import { runTool } from '../../exec/run-tool';
import { repoRoot } from '../../../src/domain/paths';
import { KERNEL_DIR } from './kernel-flavor';

/** The one verification script both clouds run (python3, standard library only). */
export const VERIFY_SCRIPT = join(KERNEL_DIR, 'verify-config.py');

/** One requested option that did not survive `olddefconfig`, as verify-config.py reports it. */
export interface DroppedOption {
  option: string;
  requested: string;
  /** Its value in the final .config; null when not set. */
  actual: string | null;
  kind: 'unmet-dependency' | 'missing' | 'selected' | 'no-prompt' | 'choice' | 'range' | 'changed';
  /** Human reason, e.g. `depends on !KASAN (KASAN=y)`. */
  reason: string;
  unmet: { kind: string; expr: string; symbols: Record<string, string>; where: string }[];
  /** `<fragment>:<line>` that requested it. */
  fragment: string;
}

/** verify-config.py's JSON report. */
export interface VerifyReport {
  ok: boolean;
  srctree: string;
  arch: string;
  kconfigFiles: number;
  requested: number;
  dropped: DroppedOption[];
}

export interface VerifyConfigRun {
  config: string;
  srctree: string;
  fragments: string[];
  arch?: string;
  logFile?: string;
  io?: StepIO;
}

/**
 * Runs verify-config.py on a `.config` written by olddefconfig. Resolves with the report when
 * every option survived; rejects with a UserError listing each dropped option and its reason.
 */
export async function verifyConfig(run: VerifyConfigRun): Promise<VerifyReport> {
  return runVerifyScript<VerifyReport>(['--arch', run.arch ?? 'x86', ...run.fragments], run, droppedOptionsError);
}

/**
 * Runs verify-config.py on a `.config` with these further arguments and returns its JSON
 * report; exit status 1 with a report rejects with `failed(report)`.
 */
export async function runVerifyScript<T>(args: string[], run: { config: string; srctree: string; logFile?: string | undefined; io?: StepIO | undefined }, failed: (report: T) => Error): Promise<T> {
  const out: string[] = [];
  const parse = (): T | undefined => {
    try {
      return JSON.parse(out.join('\n')) as T;
    } catch {
      return undefined;
    }
  };
  await runTool({
    cmd: 'python3',
    args: [VERIFY_SCRIPT, '--config', run.config, '--srctree', run.srctree, ...args],
    logFile: run.logFile,
    io: run.io,
    onLine: (line, stream) => {
      if (stream === 'stdout') out.push(line);
    },
    classify: ({ exitCode }) => {
      const report = parse();
      return exitCode === 1 && report ? failed(report) : undefined;
    },
  });
  const report = parse();
  if (!report) throw new InfraError(`verify-config.py printed no JSON report${run.logFile ? ` (log: ${run.logFile})` : ''}`);
  return report;
}

function shown(path: string): string {
  const rel = relative(repoRoot, path);
  return rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

function valueText(v: string | null): string {
  if (v === null || v === 'n') return 'not set';
  return `=${v}`;
}

/** The UserError for a failed verification: every dropped option, its reason, what to do. */
export function droppedOptionsError(report: VerifyReport): UserError {
  const lines = report.dropped.map((d) => {
    const [file, line] = [d.fragment.replace(/:\d+$/, ''), /:(\d+)$/.exec(d.fragment)?.[1]];
    const wanted = d.requested === 'n' ? `# ${d.option} is not set` : `${d.option}=${d.requested}`;
    return `  - ${wanted} (${shown(file)}${line ? `:${line}` : ''}): now ${valueText(d.actual)}: ${d.reason}`;
  });
  const first = report.dropped[0];
  return new UserError(
    `${report.dropped.length} requested kernel option(s) did not survive olddefconfig:\n${lines.join('\n')}\n` +
      'Remove each option from its fragment, or add the missing dependency to a fragment (see docs/kernel.md); options that no longer exist must be removed or renamed.',
    first ? shown(first.fragment.replace(/:\d+$/, '')) : undefined,
    'remove the option from its fragment or add the missing dependency',
  );
}
