/**
 * `validateMain`: the module's own tests on the debug kernel, against one commit of its
 * repository (nightly on main from a schedule, or `rcdebug validate`). Checks the input before
 * any side effect, resolves the ref to its commit, then per cloud × flavor in parallel: debug
 * kernel, image with the module built in, one node, the module's KUnit suites and test command,
 * the findings raised meanwhile, the node torn down. The result is also in the memo and the
 * `validateState` query.
 */
import { ApplicationFailure, setCurrentDetails, setHandler, upsertMemo, workflowInfo } from '@temporalio/workflow';
import { USER_ERROR, formatIssues } from '../src/domain/errors';
import { childKey } from '../src/domain/input';
import { validateStateQuery, type ValidateResult, type ValidateRunResult, type ValidateState } from '../src/domain/validate';
import { parseValidateInput, type RawValidateInput } from '../src/domain/validate-input';
import { validateActivities } from './validate/proxies';
import { validateRun } from './validate/run';

export async function validateMain(raw: RawValidateInput): Promise<ValidateResult> {
  const parsed = parseValidateInput(raw);
  if (!parsed.value) throw ApplicationFailure.nonRetryable(formatIssues('invalid validate input', parsed.errors), USER_ERROR, parsed.errors);
  const input = parsed.value;
  const id = workflowInfo().workflowId;
  const state: ValidateState = { repo: input.repo, ref: input.ref, verdict: 'running', runs: [] };
  setHandler(validateStateQuery, () => state);
  upsertMemo({ input });

  // Every cloud asked for must offer a single node, before anything is checked out or built.
  const without: string[] = [];
  for (const cloud of input.clouds) {
    if (!(await validateActivities(input, cloud, 'quick').hasSingleNode())) without.push(cloud);
  }
  if (without.length) {
    const errors = without.map((c) => ({ field: 'clouds', message: `the ${c} cloud has no single-node steps: it cannot run validateMain yet` }));
    throw ApplicationFailure.nonRetryable(formatIssues('invalid validate input', errors), USER_ERROR, errors);
  }

  const first = input.clouds[0]!;
  const checkout = (await validateActivities(input, first, 'toolRun', 'image-bake', 'moduleCheckout').moduleCheckout({ repo: input.repo, ref: input.ref })).output;
  state.checkout = checkout;
  upsertMemo({ checkout });
  setCurrentDetails(details(state));

  const runs = input.clouds.flatMap((cloud) => input.flavors.map((flavor) => ({ cloud, flavor, track: { key: childKey(cloud, flavor), step: 'pending' } as ValidateState['runs'][number] })));
  state.runs = runs.map((r) => r.track);
  const settled = await Promise.allSettled(runs.map((r) => validateRun(id, input, checkout, r.cloud, r.flavor, r.track)));

  // A fault of the user's (a module that does not build) fails the workflow with its message,
  // once every run's node is down.
  const userError = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected' && causeOf(s.reason)?.type === USER_ERROR);
  if (userError) throw userError.reason;
  const results: ValidateRunResult[] = settled.map((s, i) => {
    const r = runs[i]!;
    if (s.status === 'fulfilled') return s.value;
    const cause = causeOf(s.reason);
    return { cloud: r.cloud, flavor: r.flavor, kernelDigest: '', verdict: 'error', tests: [], findings: [], junit: '', reproducer: '', error: `${r.track.step}: ${cause?.message ?? (s.reason as Error).message}` };
  });
  results.forEach((r, i) => (runs[i]!.track.verdict = r.verdict));
  const verdict = results.some((r) => r.verdict === 'error') ? 'error' : results.some((r) => r.verdict === 'failed') ? 'failed' : 'passed';
  const result: ValidateResult = { checkout, runs: results, verdict };
  state.verdict = verdict;
  upsertMemo({ result });
  setCurrentDetails(details(state));
  return result;
}

function causeOf(err: unknown): (Error & { type?: string }) | undefined {
  const e = err as Error & { type?: string; cause?: Error & { type?: string } };
  return e?.type ? e : e?.cause;
}

function details(state: ValidateState): string {
  const head = `**${state.repo}** at ${state.checkout?.commit ?? state.ref}: ${state.verdict}`;
  return [head, '', '| cloud-flavor | step | verdict |', '| --- | --- | --- |', ...state.runs.map((r) => `| ${r.key} | ${r.step} | ${r.verdict ?? ''} |`)].join('\n');
}
