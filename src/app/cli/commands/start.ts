import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { preflight } from '../../../../activities/preflight';
import { connectClient } from '../../../../activities/temporal-connection';
import { startCycle, validateCycleInput } from '../../client/cycles';
import { checkWorkers } from '../../client/worker-check';
import { CLOUDS } from '../../../domain/contract';
import { UserError, formatIssues } from '../../../domain/errors';
import { printJson } from '../output';
import { watchCycle } from './watch';

/** The cycle input options shared by `start` and `schedule create`. */
export function addCycleInputOptions(cmd: Command): Command {
  return cmd
    .option('--input <file>', 'JSON file with the cycle input (the same JSON the Temporal UI takes); flags override it')
    .option('--rc <version>', 'release candidate under test, e.g. v1.4.0-rc2')
    .option('--clouds <list>', `comma-separated clouds (${CLOUDS.join(', ')})`)
    .option('--flavors <list>', 'comma-separated kernel flavors (kasan, kcsan)')
    .option('--soak <seconds>', 'soak duration in seconds')
    .option('--check-interval <seconds>', 'seconds between node health checks')
    .option('--scan-interval <seconds>', 'seconds between kmemleak double scans (0: off)')
    .option('--teardown <policy>', 'always | keep-on-failure | keep')
    .option('--manifest <path>', 'deployment manifest')
    .option('--module <name>', 'kernel module under test')
    .option('--module-source <dir>', "the module's source directory")
    .option('--module-version <version>', 'version recorded in reproducers')
    .option('--baseline <file>', 'known-issues baseline (YAML)')
    .option('--operator-timeout <seconds>', 'how long a parked cycle waits for an operator')
    .option('--on-kernel-error <mode>', 'report (default: keep the node running) or panic (the first oops, lockup, hung task or KASAN report panics its node)')
    .option('--panic-on-warn', 'with --on-kernel-error panic: a WARN panics too')
    .option('--task-queue <name>', 'base task queue (default rcdebug)');
}

function number(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new UserError(`${flag} must be a number of seconds, got "${value}"`, flag);
  return n;
}

const list = (v: string | undefined) => (v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter(Boolean));

/** Builds the raw cycle input from `--input` and the flags; validation happens in startCycle. */
export async function cycleInputFromOptions(o: Record<string, string | undefined>): Promise<Record<string, unknown>> {
  let base: Record<string, unknown> = {};
  if (o.input) {
    let text: string;
    try {
      text = await readFile(o.input, 'utf8');
    } catch (err) {
      throw new UserError(`--input ${o.input} cannot be read: ${(err as Error).message}`, '--input');
    }
    try {
      base = JSON.parse(text) as Record<string, unknown>;
    } catch (err) {
      throw new UserError(`--input ${o.input} is not valid JSON: ${(err as Error).message}`, '--input');
    }
  }
  const soak = { ...(base.soak as object | undefined) } as Record<string, unknown>;
  const set = (obj: Record<string, unknown>, key: string, v: unknown) => {
    if (v !== undefined) obj[key] = v;
  };
  set(soak, 'durationSeconds', number('--soak', o.soak));
  set(soak, 'checkIntervalSeconds', number('--check-interval', o.checkInterval));
  set(soak, 'scanIntervalSeconds', number('--scan-interval', o.scanInterval));
  const input: Record<string, unknown> = { ...base };
  if (Object.keys(soak).length) input.soak = soak;
  set(input, 'rc', o.rc);
  set(input, 'clouds', list(o.clouds));
  set(input, 'flavors', list(o.flavors));
  set(input, 'teardown', o.teardown);
  set(input, 'manifest', o.manifest);
  set(input, 'baseline', o.baseline);
  set(input, 'operatorTimeoutSeconds', number('--operator-timeout', o.operatorTimeout));
  set(input, 'onKernelError', o.onKernelError);
  if (o.panicOnWarn) input.panicOnWarn = true;
  set(input, 'taskQueue', o.taskQueue);
  if (o.module || o.moduleSource || o.moduleVersion) {
    const m = { ...(base.module as object | undefined) } as Record<string, unknown>;
    set(m, 'name', o.module);
    set(m, 'source', o.moduleSource);
    set(m, 'version', o.moduleVersion);
    input.module = m;
  }
  return input;
}

export function registerStartCommand(program: Command): void {
  addCycleInputOptions(program.command('start').description('start a release-candidate cycle'))
    .option('--id <workflowId>', 'workflow id (default: rc-<rc>-<time>-<random>)')
    .option('--watch', 'follow the cycle until it ends; exit code = verdict')
    .option('--json', 'print the started cycle as JSON')
    .option('--no-worker-check', 'start even when no worker polls a cloud\'s task queue')
    .action(async (o: Record<string, string | undefined> & { watch?: boolean; json?: boolean; workerCheck: boolean }) => {
      // Bad input is refused before anything else happens, Temporal reachable or not: the
      // fields first, then every file the cycle will read.
      const raw = validateCycleInput(await cycleInputFromOptions(o));
      const checked = await preflight(raw);
      for (const w of checked.warnings) process.stderr.write(`warning: ${w.field}: ${w.message}\n`);
      if (checked.errors.length) {
        throw new UserError(formatIssues('the cycle cannot run', checked.errors), checked.errors[0]?.field, 'fix the fields above and start again');
      }
      const client = await connectClient();
      if (o.workerCheck) {
        // An open connection would keep the process alive after the refusal.
        await checkWorkers(client, raw).catch(async (err: unknown) => {
          await client.connection.close();
          throw err;
        });
      }
      const { workflowId, input } = await startCycle(client, raw, { workflowId: o.id });
      if (o.json) printJson({ workflowId, input });
      else {
        process.stdout.write(`started ${workflowId}: rc ${input.rc} on ${input.clouds.join(', ')} (${input.flavors.join(', ')})\n`);
        process.stdout.write(`  follow it: rcdebug watch ${workflowId}\n`);
      }
      if (o.watch) process.exitCode = await watchCycle(client, workflowId, { json: false });
    });
}
