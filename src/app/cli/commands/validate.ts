import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { connectClient } from '../../../../activities/temporal-connection';
import { mergedJunit, newValidateId, runValidate, validateInputFromOptions, type ValidateOptions } from '../../client/validate';
import type { ValidateResult } from '../../../domain/validate';
import { EXIT } from '../exit-codes';
import { printJson } from '../output';

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** The options that make a validate input, shared by `validate` and `schedule create --workflow validateMain`. */
export function addValidateOptions(cmd: Command): Command {
  return cmd
    .option('--repo <url|path>', "the module's git repository: a URL, or a path (a directory inside a repository works too)")
    .option('--ref <ref>', 'branch, tag or commit to validate (default main)')
    .option('--suite <name>', 'a KUnit suite the module must run (repeat it); default: the suites that ran', collect)
    .option('--test-command <cmd>', 'a shell command run in the guest once the module is loaded; its exit status is a test')
    .option('--test-timeout <duration>', 'bound on the KUnit run plus the test command, e.g. 10m (default 10m)')
    .option('--module-params <params>', 'load parameters of the module, e.g. "bug=none"');
}

/** The summary lines of a result. */
export function summaryLines(r: ValidateResult): string[] {
  const lines = [`${r.checkout.repo} at ${r.checkout.commit} (${r.checkout.ref}): ${r.verdict}`];
  for (const run of r.runs) {
    const count = (s: string) => run.tests.filter((t) => t.status === s).length;
    lines.push(`  ${run.cloud}/${run.flavor}: ${run.verdict}${run.error ? ` (${run.error})` : ''} — ${count('passed')} passed, ${count('failed')} failed, ${count('not-run')} not run, ${count('skipped')} skipped; kernel ${run.kernelDigest}`);
    for (const t of run.tests.filter((x) => x.status === 'failed' || x.status === 'not-run')) lines.push(`    ${t.status}: ${t.suite} / ${t.name}: ${(t.message ?? '').split('\n')[0]}`);
    for (const f of run.findings.filter((x) => x.status === 'new')) lines.push(`    new finding: ${f.title}`);
  }
  return lines;
}

export function registerValidateCommand(program: Command): void {
  addValidateOptions(program.command('validate').description("run the module's own tests (KUnit suites, a test command) on the debug kernel at a git ref"))
    .option('--clouds <list>', 'comma-separated clouds (default local)')
    .option('--flavors <list>', 'comma-separated kernel flavors (default kasan)')
    .option('--baseline <file>', 'known-issues baseline (YAML): its findings are known, not new')
    .option('--junit <file>', 'write the JUnit XML of every run (merged) to this file')
    .option('--json', 'print the result as JSON')
    .option('--id <workflowId>', 'workflow id (default validate-<time>-<random>)')
    .option('--task-queue <name>', 'base task queue (default rcdebug)')
    .action(async (o: ValidateOptions & { junit?: string; json?: boolean; id?: string }) => {
      const input = validateInputFromOptions(o);
      const client = await connectClient();
      const workflowId = o.id ?? newValidateId();
      if (!o.json) process.stderr.write(`started ${workflowId}: validating ${input.repo} at ${input.ref}\n`);
      const result = await runValidate(client, input, workflowId).finally(() => client.connection.close());
      if (o.junit) await writeFile(o.junit, await mergedJunit(result));
      if (o.json) printJson({ workflowId, ...result });
      else process.stdout.write(`${summaryLines(result).join('\n')}\n${o.junit ? `JUnit: ${o.junit}\n` : ''}`);
      process.exitCode = result.verdict === 'passed' ? EXIT.ok : result.verdict === 'failed' ? EXIT.findings : 3;
    });
}
