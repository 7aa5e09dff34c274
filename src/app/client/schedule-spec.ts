/**
 * Checks a schedule spec before it reaches the server, so a bad cron line, interval or time
 * zone is refused with the field named.
 */
import type { FieldIssue } from '../../domain/errors';

const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  { name: 'day of week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];

const MACROS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

/** Problems of a five-field cron line (minute hour day-of-month month day-of-week); empty when fine. */
export function cronProblems(expr: string): string[] {
  const trimmed = expr.trim();
  if (MACROS.includes(trimmed)) return [];
  const parts = trimmed.split(/\s+/);
  if (parts.length !== 5) return [`needs 5 fields (minute hour day-of-month month day-of-week), got ${parts.length}: "${expr}"`];
  const problems: string[] = [];
  parts.forEach((part, i) => {
    const f = FIELDS[i] as (typeof FIELDS)[number];
    for (const item of part.split(',')) {
      const [range, step, extra] = item.split('/');
      if (extra !== undefined || (step !== undefined && !/^[1-9]\d*$/.test(step))) {
        problems.push(`${f.name} "${item}": a step must be a positive number`);
        continue;
      }
      if (range === '*' || range === '?') continue;
      const value = (v: string) => {
        const idx = f.names?.indexOf(v.toUpperCase()) ?? -1;
        if (idx >= 0) return idx + (f.name === 'month' ? 1 : 0);
        return /^\d+$/.test(v) ? Number(v) : Number.NaN;
      };
      const bounds = (range ?? '').split('-');
      if (bounds.length > 2 || bounds.some((b) => !(value(b) >= f.min && value(b) <= f.max))) {
        problems.push(`${f.name} "${item}" is out of range ${f.min}-${f.max}`);
      } else if (bounds.length === 2 && value(bounds[0] as string) > value(bounds[1] as string)) {
        problems.push(`${f.name} "${item}": the range is backwards`);
      }
    }
  });
  return problems;
}

/** Parses `90s`, `30m`, `12h`, `1d`, `1h30m` into milliseconds; undefined when it does not parse. */
export function parseInterval(text: string): number | undefined {
  const re = /(\d+)\s*(ms|s|m|h|d)/gy;
  const unit: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text.trim())) !== null) {
    total += Number(m[1]) * (unit[m[2] as string] as number);
    matched = re.lastIndex;
  }
  return matched === text.trim().length && total > 0 ? total : undefined;
}

export function timeZoneProblem(tz: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return undefined;
  } catch {
    return `"${tz}" is not an IANA time zone such as Europe/Budapest or UTC`;
  }
}

export const OVERLAP_POLICIES = ['skip', 'buffer-one', 'buffer-all', 'cancel-other', 'terminate-other', 'allow-all'] as const;
export type OverlapName = (typeof OVERLAP_POLICIES)[number];

export interface ScheduleSpecOptions {
  cron?: string | undefined;
  every?: string | undefined;
  timezone?: string | undefined;
  overlap?: string | undefined;
  catchupWindow?: string | undefined;
}

/** Every problem of a schedule spec, by flag. */
export function scheduleSpecProblems(o: ScheduleSpecOptions): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (!o.cron === !o.every) issues.push({ field: '--cron/--every', message: 'give exactly one: a cron line ("0 2 * * *") or an interval ("24h")' });
  if (o.cron) for (const p of cronProblems(o.cron)) issues.push({ field: '--cron', message: p });
  if (o.every && parseInterval(o.every) === undefined) issues.push({ field: '--every', message: `"${o.every}" is not an interval such as 90m, 12h or 1d` });
  if (o.timezone) {
    const p = timeZoneProblem(o.timezone);
    if (p) issues.push({ field: '--timezone', message: p });
  }
  if (o.overlap && !(OVERLAP_POLICIES as readonly string[]).includes(o.overlap)) {
    issues.push({ field: '--overlap', message: `"${o.overlap}" is not one of ${OVERLAP_POLICIES.join(', ')}` });
  }
  if (o.catchupWindow && parseInterval(o.catchupWindow) === undefined) {
    issues.push({ field: '--catchup-window', message: `"${o.catchupWindow}" is not a duration such as 10m or 1h` });
  }
  return issues;
}
