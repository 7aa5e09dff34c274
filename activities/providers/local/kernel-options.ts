import { join } from 'node:path';
import type { Flavor, StepIO } from '../../../src/domain/contract';
import { InfraError, UserError } from '../../../src/domain/errors';
import { KERNEL_DIR } from './kernel-flavor';
import { runVerifyScript } from './kernel-verify';

/** The users' option list: `CONFIG_X=value flavor` lines (kernel/options.list). */
export const OPTION_LIST = join(KERNEL_DIR, 'options.list');

/** One option of the list against one flavor's final .config, as verify-config.py --list reports it. */
export interface ListedOption {
  option: string;
  requested: string;
  /** The flavor the list gives it: `all` or a flavor's name. */
  flavor: string;
  /** Whether it belongs to the flavor checked. */
  mine: boolean;
  actual: string | null;
  present: boolean;
  /** When absent: why, from the kernel's Kconfig. */
  reason?: string;
  kind?: string;
  /** When absent: no fragment could make it present (gone from the kernel, arch-only). */
  cannotBePresent?: boolean;
}

export interface OptionListReport {
  ok: boolean;
  flavor: string;
  options: ListedOption[];
  /** Options of this flavor that are absent though a fragment could set them. */
  absentButPossible: string[];
}

/** Checks the option list against a flavor's final .config (verify-config.py --list). */
export async function checkOptionList(run: { config: string; srctree: string; flavor: Flavor; list?: string; logFile?: string; io?: StepIO }): Promise<OptionListReport> {
  return runVerifyScript<OptionListReport>(['--list', run.list ?? OPTION_LIST, '--flavor', run.flavor], run, missingListedError);
}

/** The UserError for listed options a fragment could set but none does. */
export function missingListedError(report: OptionListReport): UserError {
  const rows = report.options.filter((o) => report.absentButPossible.includes(o.option));
  return new UserError(
    `${rows.length} option(s) of kernel/options.list are not in the ${report.flavor} kernel although they could be:\n` +
      rows.map((o) => `  - ${o.option}=${o.requested}: ${o.reason ?? 'absent'}`).join('\n'),
    'kernel/options.list',
    'request each option in a fragment under kernel/flavors/ (or give it to another flavor in the list)',
  );
}

const MARK = { start: '<!-- option-table:start -->', end: '<!-- option-table:end -->' };

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/**
 * The option table of docs/kernel.md from each flavor's list report: option, flavor, present
 * (per flavor), why not. Every row of the list, in its order.
 */
export function renderOptionTable(reports: OptionListReport[]): string {
  const first = reports[0];
  if (!first) return '';
  const header = ['| option | flavor | present | why not |', '|---|---|---|---|'];
  const rows = first.options.map((_, i) => {
    const per = reports.map((r) => ({ flavor: r.flavor, o: r.options[i] as ListedOption }));
    const { option, requested, flavor } = per[0]!.o;
    const present = per.map(({ flavor: f, o }) => `${f} ${o.present ? 'yes' : 'no'}`).join(', ');
    const why = per
      .filter(({ o }) => !o.present)
      .map(({ flavor: f, o }) => `${o.mine ? '' : `${o.flavor} only; `}${f}: ${o.reason ?? ''}`);
    // The same reason in every flavor is said once.
    const reasons = per.every(({ o }) => !o.present) && new Set(per.map(({ o }) => o.reason)).size === 1 ? [per[0]!.o.reason ?? ''] : why;
    return `| \`${option}=${requested}\` | ${flavor} | ${present} | ${cell(reasons.join('<br>'))} |`;
  });
  return [...header, ...rows].join('\n');
}

/** docs/kernel.md with the table between its markers replaced. */
export function withOptionTable(doc: string, table: string): string {
  const a = doc.indexOf(MARK.start);
  const b = doc.indexOf(MARK.end);
  if (a < 0 || b < a) throw new InfraError(`docs/kernel.md has no ${MARK.start} ... ${MARK.end} section`);
  return `${doc.slice(0, a + MARK.start.length)}\n${table}\n${doc.slice(b)}`;
}
