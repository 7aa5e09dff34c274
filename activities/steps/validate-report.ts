/**
 * The report of one validateMain run, for every cloud: the node's KTAP, the module load and
 * the test command as test cases, the console written during the tests through the findings
 * engine (with the run's reproducer), and the JUnit of both into the cloud's artifact store.
 * A cloud supplies only its artifact store and how to reproduce the run by hand there.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArtifactStore } from '../artifacts/store';
import type { StepIO } from '../../src/domain/contract';
import { analyzeLogs, toSummary } from '../../src/domain/findings/index';
import { ktapResults } from '../../src/domain/ktap';
import { resolveInputPath } from '../../src/domain/paths';
import type { NodeReportInput, TestCaseResult, ValidateRunResult } from '../../src/domain/validate';
import { TEST_COMMAND_SUITE, renderValidateJunit } from '../../src/domain/validate-junit';

/** What a cloud hands the report. */
export interface ReportSources {
  artifacts: ArtifactStore;
  /** Artifact key prefix of the run. */
  base: string;
  /** Worker folder for the console slice the findings engine reads. */
  workDir: string;
  /** Shell commands that reproduce the run by hand on this cloud. */
  commands: string[];
}

/** Suite of the module-load test case (a module that does not load fails it). */
export const MODULE_LOAD_SUITE = 'module load';

/** The test cases of a run, from the node's raw output. */
export function runTests(input: Pick<NodeReportInput, 'test' | 'kunitSuites' | 'testCommand' | 'timeoutSeconds' | 'ctx'>): TestCaseResult[] {
  const { test } = input;
  const cutReason = test.panic ? `kernel panic: ${test.panic}` : test.timedOut ? `timed out after ${input.timeoutSeconds} s` : undefined;
  // The test command runs after the load returned: once it ran, the KTAP was whole, whatever
  // ended the run later.
  const tests = ktapResults(test.ktap, { suites: input.kunitSuites, cutReason: test.command ? undefined : cutReason });
  const module = input.ctx.module.name;
  if (test.loadError) tests.push({ suite: MODULE_LOAD_SUITE, name: module, status: 'failed', message: `the module did not load: ${test.loadError}` });
  if (input.testCommand) {
    const c = test.command;
    const name = input.testCommand;
    if (!c) tests.push({ suite: TEST_COMMAND_SUITE, name, status: 'not-run', message: `not reached: ${cutReason ?? 'the node did not get to it'}` });
    else if (c.timedOut) tests.push({ suite: TEST_COMMAND_SUITE, name, status: 'failed', message: `timed out: killed after ${input.timeoutSeconds} s (the test timeout)\n${c.output}`.trim() });
    else if (c.exitCode === 0) tests.push({ suite: TEST_COMMAND_SUITE, name, status: 'passed' });
    else tests.push({ suite: TEST_COMMAND_SUITE, name, status: 'failed', message: `${c.exitCode === null ? (cutReason ?? 'no exit status') : `exit status ${c.exitCode}`}\n${c.output}`.trim() });
  }
  if (tests.length === 0) {
    tests.push({ suite: module, name: 'KUnit', status: 'failed', message: `no tests ran: ${module} printed no KTAP at load (no KUnit suite, or a kernel without CONFIG_KUNIT) and no test command was given` });
  }
  return tests;
}

/** The report step over a cloud's sources. */
export async function validateReport(input: NodeReportInput, io: StepIO, s: ReportSources): Promise<ValidateRunResult> {
  const { ctx, test, checkout, kernel } = input;
  const whole = Buffer.from(await s.artifacts.getText(test.console));
  const slice = whole.subarray(Math.min(test.consoleOffset ?? 0, whole.length)).toString('utf8');
  await mkdir(s.workDir, { recursive: true });
  const path = join(s.workDir, 'console-during-tests.log');
  await writeFile(path, slice);
  io.progress({ message: 'analysing the console of the tests' });
  const commands = [`# module ${checkout.repo} at ${checkout.commit} (ref ${checkout.ref})`, ...s.commands];
  const parsed = await analyzeLogs([{ path, node: input.node.node.name, cloud: ctx.cloud, artifact: test.console }], {
    baseline: ctx.baseline ? resolveInputPath(ctx.baseline) : undefined,
    reproducer: { kernelDigest: kernel.digest, kernelRelease: kernel.kernelRelease, imageId: input.image.imageId, module: `${ctx.module.name} ${checkout.commit}`, moduleVersion: checkout.commit, commands },
  });
  const tests = runTests(input);
  const props = { commit: checkout.commit, kernelDigest: kernel.digest, cloud: ctx.cloud, flavor: ctx.flavor, repo: checkout.repo, ref: checkout.ref };
  const junit = await s.artifacts.putText(`${s.base}/validate/junit.xml`, renderValidateJunit(tests, parsed.findings, props));
  const failed = tests.some((t) => t.status === 'failed' || t.status === 'not-run') || parsed.counts.new > 0;
  return {
    cloud: ctx.cloud,
    flavor: ctx.flavor,
    kernelDigest: kernel.digest,
    verdict: failed ? 'failed' : 'passed',
    tests,
    findings: parsed.findings.map(toSummary),
    junit,
    reproducer: [`commit ${checkout.commit}`, `kernel digest ${kernel.digest}`, ...commands].join('\n'),
  };
}
