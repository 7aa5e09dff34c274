import { ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleDescription } from '@temporalio/client';
import type { Command } from 'commander';
import { checkCycleManifest } from '../../client/check-manifest';
import { connectClient } from '../../../../activities/temporal-connection';
import { validateCycleInput } from '../../client/cycles';
import { parseInterval, scheduleSpecProblems, type OverlapName, type ScheduleSpecOptions } from '../../client/schedule-spec';
import { UserError, formatIssues } from '../../../domain/errors';
import { printJson, table } from '../output';
import { addCycleInputOptions, cycleInputFromOptions } from './start';
import { addValidateOptions } from './validate';
import { validateInputFromOptions, type ValidateOptions } from '../../client/validate';
import { VALIDATE_WORKFLOW } from '../../../domain/validate';

/** The workflows a schedule may start. */
const SCHEDULED = ['rcCycle', VALIDATE_WORKFLOW] as const;

const OVERLAP: Record<OverlapName, ScheduleOverlapPolicy> = {
  skip: ScheduleOverlapPolicy.SKIP,
  'buffer-one': ScheduleOverlapPolicy.BUFFER_ONE,
  'buffer-all': ScheduleOverlapPolicy.BUFFER_ALL,
  'cancel-other': ScheduleOverlapPolicy.CANCEL_OTHER,
  'terminate-other': ScheduleOverlapPolicy.TERMINATE_OTHER,
  'allow-all': ScheduleOverlapPolicy.ALLOW_ALL,
};

async function withSchedule<T>(client: Client, id: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) throw new UserError(`no schedule "${id}"`, 'schedule', 'list them with `rcdebug schedule list`');
    throw err;
  }
}

function describeSchedule(d: ScheduleDescription) {
  return {
    scheduleId: d.scheduleId,
    paused: d.state.paused,
    note: d.state.note,
    // The server stores cron lines as calendars.
    calendars: d.spec.calendars ?? [],
    intervals: (d.spec.intervals ?? []).map((i) => String(i.every)),
    timezone: d.spec.timezone,
    overlap: d.policies.overlap,
    catchupWindow: d.policies.catchupWindow,
    recentActions: d.info.recentActions.map((a) => ({ at: a.takenAt.toISOString(), workflowId: a.action.workflow.workflowId })),
    nextActionTimes: d.info.nextActionTimes.map((t) => t.toISOString()),
    action: d.action.type === 'startWorkflow' ? { workflowType: d.action.workflowType, taskQueue: d.action.taskQueue, input: d.action.args?.[0] } : d.action,
  };
}

export function registerScheduleCommands(program: Command): void {
  const schedule = program.command('schedule').description('Temporal Schedules of cycles (nightly soaks)');

  addValidateOptions(addCycleInputOptions(schedule.command('create <scheduleId>').description('create a schedule that starts a cycle (or, with --workflow validateMain, a validation of the module at a ref)')))
    .option('--workflow <type>', `what it starts: ${SCHEDULED.join(' or ')}`, 'rcCycle')
    .option('--cron <expr>', 'cron line, e.g. "0 2 * * *" for 02:00 every night')
    .option('--every <interval>', 'interval instead of cron, e.g. 12h')
    .option('--timezone <tz>', 'IANA time zone for the cron line (default UTC)')
    .option('--overlap <policy>', 'when the previous cycle still runs: skip | buffer-one | buffer-all | cancel-other | terminate-other | allow-all', 'skip')
    .option('--catchup-window <duration>', 'how late a missed run may still start, e.g. 1h', '1h')
    .option('--paused', 'create it paused')
    .option('--note <text>', 'a note shown with the schedule')
    .action(async (id: string, o: Record<string, string | undefined> & { paused?: boolean; suite?: string[] }) => {
      const problems = scheduleSpecProblems(o as ScheduleSpecOptions);
      if (problems.length) throw new UserError(formatIssues('invalid schedule', problems), problems[0]?.field);
      const workflowType = o.workflow ?? 'rcCycle';
      if (!(SCHEDULED as readonly string[]).includes(workflowType)) throw new UserError(`--workflow ${workflowType}: a schedule starts ${SCHEDULED.join(' or ')}`, '--workflow');
      let input: { taskQueue: string };
      let what: string;
      if (workflowType === VALIDATE_WORKFLOW) {
        const v = validateInputFromOptions(o as ValidateOptions);
        [input, what] = [v, `validate ${v.repo} at ${v.ref}`];
      } else {
        const c = validateCycleInput(await cycleInputFromOptions(o));
        await checkCycleManifest(c);
        [input, what] = [c, `rc ${c.rc}`];
      }
      const client = await connectClient();
      const every = o.every ? parseInterval(o.every) : undefined;
      await client.schedule.create({
        scheduleId: id,
        spec: { ...(o.cron ? { cronExpressions: [o.cron] } : { intervals: [{ every: every as number }] }), timezone: o.timezone },
        action: { type: 'startWorkflow', workflowType, taskQueue: input.taskQueue, args: [input], workflowId: `sched-${id}` },
        policies: { overlap: OVERLAP[(o.overlap ?? 'skip') as OverlapName], catchupWindow: parseInterval(o.catchupWindow ?? '1h') as number },
        state: { paused: Boolean(o.paused), note: o.note },
      });
      process.stdout.write(`created schedule ${id}: ${o.cron ? `cron "${o.cron}"${o.timezone ? ` (${o.timezone})` : ''}` : `every ${o.every}`}, ${what}\n`);
    });

  schedule
    .command('list')
    .description('list schedules')
    .option('--json', 'as JSON')
    .action(async (o: { json?: boolean }) => {
      const client = await connectClient();
      const rows = [];
      for await (const s of client.schedule.list()) {
        rows.push({ scheduleId: s.scheduleId, paused: s.state.paused, next: s.info.nextActionTimes[0]?.toISOString() ?? '', workflowType: s.action?.type === 'startWorkflow' ? s.action.workflowType : '' });
      }
      if (o.json) printJson(rows);
      else process.stdout.write(`${table(['schedule', 'paused', 'next run', 'workflow'], rows.map((r) => [r.scheduleId, String(r.paused), r.next, r.workflowType]))}\n`);
    });

  schedule
    .command('describe <scheduleId>')
    .option('--json', 'as JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      const client = await connectClient();
      const d = describeSchedule(await withSchedule(client, id, () => client.schedule.getHandle(id).describe()));
      if (o.json) printJson(d);
      else process.stdout.write(`${Object.entries(d).map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join('\n')}\n`);
    });

  const simple = (name: string, what: string, fn: (h: ReturnType<Client['schedule']['getHandle']>) => Promise<void>) =>
    schedule.command(`${name} <scheduleId>`).description(what).action(async (id: string) => {
      const client = await connectClient();
      await withSchedule(client, id, () => fn(client.schedule.getHandle(id)));
      process.stdout.write(`${name}: ${id}\n`);
    });
  simple('pause', 'pause a schedule', (h) => h.pause('paused with rcdebug'));
  simple('unpause', 'resume a schedule', (h) => h.unpause('unpaused with rcdebug'));
  simple('trigger', 'start its cycle now', (h) => h.trigger(ScheduleOverlapPolicy.ALLOW_ALL));
  simple('delete', 'delete a schedule (cycles it started keep running)', (h) => h.delete());
}
