/**
 * `validateMain` from the client side: the input from the CLI's flags, checked before anything
 * is started, the workflow run to its end, and the runs' JUnit merged into one file.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { InfraError, USER_ERROR, UserError, formatIssues } from '../../domain/errors';
import { VALIDATE_WORKFLOW, validateStateQuery, type ValidateInput, type ValidateResult, type ValidateState } from '../../domain/validate';
import { parseValidateInput } from '../../domain/validate-input';
import { mergeJunit } from '../../domain/validate-junit';
import { parseInterval } from './schedule-spec';
import { isGitUrl } from '../../../activities/steps/module-checkout';

/** The validate options of `rcdebug validate` and `rcdebug schedule create --workflow validateMain`. */
export interface ValidateOptions {
  repo?: string | undefined;
  ref?: string | undefined;
  clouds?: string | undefined;
  flavors?: string | undefined;
  suite?: string[] | undefined;
  testCommand?: string | undefined;
  testTimeout?: string | undefined;
  moduleParams?: string | undefined;
  baseline?: string | undefined;
  taskQueue?: string | undefined;
}

const list = (v: string | undefined) => (v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter(Boolean));

/** The checked input of the flags; a path is made absolute from here (the worker reads it as given). */
export function validateInputFromOptions(o: ValidateOptions): ValidateInput {
  if (!o.repo) throw new UserError('--repo is required: a git URL, or a path to the module\'s repository', '--repo', 'e.g. rcdebug validate --repo . --ref main');
  let testTimeoutSeconds: number | undefined;
  if (o.testTimeout !== undefined) {
    const ms = parseInterval(o.testTimeout);
    if (ms === undefined) throw new UserError(`--test-timeout ${o.testTimeout} is not a duration`, '--test-timeout', 'e.g. 10m, 90s, 1h');
    testTimeoutSeconds = Math.round(ms / 1000);
  }
  const repo = isGitUrl(o.repo) || isAbsolute(o.repo) ? o.repo : resolve(o.repo);
  const raw = {
    repo,
    ...(o.ref !== undefined ? { ref: o.ref } : {}),
    ...(o.clouds !== undefined ? { clouds: list(o.clouds) } : {}),
    ...(o.flavors !== undefined ? { flavors: list(o.flavors) } : {}),
    ...(o.suite?.length ? { kunitSuites: o.suite } : {}),
    ...(o.testCommand !== undefined ? { testCommand: o.testCommand } : {}),
    ...(testTimeoutSeconds !== undefined ? { testTimeoutSeconds } : {}),
    ...(o.moduleParams !== undefined ? { moduleParams: o.moduleParams } : {}),
    ...(o.baseline !== undefined ? { baseline: resolve(o.baseline) } : {}),
    ...(o.taskQueue !== undefined ? { taskQueue: o.taskQueue } : {}),
  };
  const parsed = parseValidateInput(raw);
  if (!parsed.value) throw new UserError(formatIssues('invalid validate input', parsed.errors), parsed.errors[0]?.field);
  if (!isGitUrl(repo) && !existsSync(repo)) throw new UserError(`--repo ${o.repo}: there is no directory ${repo}`, '--repo', 'give a git URL, or a path to a git repository (or a directory inside one)');
  return parsed.value;
}

/** Starts validateMain and waits for its result; a UserError of the workflow comes back as one. */
export async function runValidate(client: Client, input: ValidateInput, workflowId: string): Promise<ValidateResult> {
  const handle = await client.workflow.start(VALIDATE_WORKFLOW, {
    taskQueue: input.taskQueue,
    workflowId,
    args: [input],
    staticSummary: `validate ${input.repo} at ${input.ref} on ${input.clouds.join(', ')} (${input.flavors.join(', ')})`,
  });
  try {
    return (await handle.result()) as ValidateResult;
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    const cause = err.cause;
    if (cause instanceof ApplicationFailure && cause.type === USER_ERROR) throw new UserError(cause.message, (cause.details?.[0] as { field?: string } | undefined)?.field);
    const inner = cause?.cause instanceof ApplicationFailure ? cause.cause : undefined;
    if (inner?.type === USER_ERROR) throw new UserError(inner.message);
    throw new InfraError(`validation ${workflowId} failed: ${cause?.message ?? err.message}`, err);
  }
}

/** One JUnit document of every run (their files read from the artifact store on this machine). */
export async function mergedJunit(result: ValidateResult): Promise<string> {
  const docs: string[] = [];
  for (const run of result.runs) {
    if (!run.junit) continue;
    if (!run.junit.startsWith('file:')) throw new UserError(`the JUnit of ${run.cloud}/${run.flavor} is at ${run.junit}, not on this machine`, '--junit', 'fetch it from the artifact store, or run rcdebug validate where the worker writes its artifacts');
    docs.push(await readFile(fileURLToPath(run.junit), 'utf8'));
  }
  return mergeJunit(docs);
}

/** A fresh workflow id for a validation. */
export function newValidateId(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  return `validate-${stamp}-${Math.random().toString(36).slice(2, 8)}`;
}

/** What `rcdebug status` shows of a validateMain: its live state (query) or its memo. */
export interface ValidateView {
  workflowId: string;
  status: string;
  state?: ValidateState | undefined;
  result?: ValidateResult | undefined;
}

/** The view of a validateMain, or undefined when the workflow is of another type. */
export async function getValidateView(client: Client, workflowId: string): Promise<ValidateView | undefined> {
  let desc;
  try {
    desc = await client.workflow.getHandle(workflowId).describe();
  } catch {
    // Not found (or unreachable): the cycle view says so in its own words.
    return undefined;
  }
  if (desc.type !== VALIDATE_WORKFLOW) return undefined;
  const memo = (desc.memo ?? {}) as { result?: ValidateResult };
  let state: ValidateState | undefined;
  if (desc.status.name === 'RUNNING') state = await client.workflow.getHandle(workflowId).query(validateStateQuery).catch(() => undefined);
  return { workflowId, status: desc.status.name, state, result: memo.result };
}
