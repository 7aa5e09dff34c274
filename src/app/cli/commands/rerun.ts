import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { connectClient } from '../../../../activities/temporal-connection';
import { rerunFrom, steerCycle } from '../../client/cycles';
import { STEPS, type MainStep } from '../../../domain/contract';
import { UserError } from '../../../domain/errors';
import { printJson } from '../output';

function step(flag: string, value: string | undefined): MainStep | undefined {
  if (value === undefined) return undefined;
  if (!(STEPS as readonly string[]).includes(value)) throw new UserError(`${flag} "${value}" is not a step; steps: ${STEPS.join(', ')}`, flag);
  return value as MainStep;
}

export function registerRerunCommand(program: Command): void {
  program
    .command('rerun <cycle>')
    .description('answer a parked cycle (--retry, --skip, --abort), or rerun a closed one --from a step')
    .option('--retry', 'run the parked step again')
    .option('--skip', 'skip the parked step (only steps no later step needs)')
    .option('--abort', 'abort the cycle and tear down')
    .option('--step <step>', 'the parked step (default: whichever is parked)')
    .option('--input <file>', 'with --retry: JSON with changed inputs (soak, module, manifest, baseline)')
    .option('--reason <text>', 'with --abort: why')
    .option('--from <step>', 'for a closed cycle: start a new one that reuses the outputs of the steps before <step>')
    .option('--json', 'print the outcome as JSON')
    .action(async (id: string, o: { retry?: boolean; skip?: boolean; abort?: boolean; step?: string; input?: string; reason?: string; from?: string; json?: boolean }) => {
      const modes = [o.retry && '--retry', o.skip && '--skip', o.abort && '--abort', o.from && '--from'].filter(Boolean);
      if (modes.length !== 1) throw new UserError(`give exactly one of --retry, --skip, --abort, --from (got ${modes.join(', ') || 'none'})`, 'rerun');
      const client = await connectClient();
      if (o.from) {
        const r = await rerunFrom(client, id, step('--from', o.from) as MainStep);
        if (o.json) printJson(r);
        else {
          for (const n of r.notes) process.stdout.write(`note: ${n}\n`);
          process.stdout.write(`started ${r.workflowId}, reusing the steps before ${o.from}\n  follow it: rcdebug watch ${r.workflowId}\n`);
        }
        return;
      }
      let input: Record<string, unknown> | undefined;
      if (o.input) {
        try {
          input = JSON.parse(await readFile(o.input, 'utf8')) as Record<string, unknown>;
        } catch (err) {
          throw new UserError(`--input ${o.input}: ${(err as Error).message}`, '--input');
        }
      }
      const s = step('--step', o.step);
      const r = o.retry
        ? await steerCycle(client, id, { kind: 'retry', step: s, input })
        : o.skip
          ? await steerCycle(client, id, { kind: 'skip', step: s })
          : await steerCycle(client, id, { kind: 'abort', reason: o.reason });
      const what = o.retry ? 'retrying' : o.skip ? 'skipped' : 'aborted';
      if (o.json) printJson({ ...r, action: what });
      else process.stdout.write(`${what}${r.step ? ` ${r.step}` : ''} in ${r.child}\n`);
    });
}
