import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { CloudProvider, StepIO, StepResult, TeardownOutput } from '../src/domain/contract';
import { INFRA_ERROR, USER_ERROR, isInfraError, isUserError } from '../src/domain/errors';
import { preflight } from './preflight';
import { moduleCheckout, type ModuleCheckoutInput } from './steps/module-checkout';
import type { NodeBootInput, NodeBootOutput, NodeReportInput, NodeTeardownInput, NodeTestInput, NodeTestOutput, ValidateRunResult } from '../src/domain/validate';

/** Details attached to a step's failure, read back by the workflow for its state query. */
export interface StepFailureDetails {
  attempt: number;
  field?: string | undefined;
  hint?: string | undefined;
}

/**
 * Maps any error a step throws onto the failure model: a UserError is non-retryable, an
 * InfraError (and anything unexpected) is retried by the step's activity profile.
 */
export function toStepFailure(err: unknown, attempt: number): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  if (isUserError(err)) {
    const details: StepFailureDetails = { attempt, field: err.field, hint: err.hint };
    return ApplicationFailure.create({ message: err.message, type: USER_ERROR, nonRetryable: true, details: [details], cause: err });
  }
  const message = isInfraError(err) ? err.message : `unexpected error: ${(err as Error)?.message ?? String(err)}`;
  const details: StepFailureDetails = { attempt };
  return ApplicationFailure.create({ message, type: INFRA_ERROR, nonRetryable: false, details: [details], cause: err as Error });
}

type StepFn<I, O> = (input: I, io: StepIO) => Promise<O>;

function wrapStep<I, O>(fn: StepFn<I, O>): (input: I) => Promise<StepResult<O>> {
  return async (input: I) => {
    const ctx = Context.current();
    const attempt = ctx.info.attempt;
    const io: StepIO = {
      progress: (p) => ctx.heartbeat(p),
      signal: ctx.cancellationSignal,
      attempt,
    };
    try {
      return { output: await fn(input, io), attempt };
    } catch (err) {
      // A cancelled step reports the cancellation itself, whatever its child process said.
      if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason ?? err;
      throw toStepFailure(err, attempt);
    }
  };
}

/** A step a cloud does not offer: refused for good, naming the cloud. */
function missingStep<I, O>(cloud: string, what: string): (input: I) => Promise<StepResult<O>> {
  return async () => {
    throw ApplicationFailure.create({ message: `the ${cloud} cloud cannot ${what}: it has no single-node steps (validateMain runs only on clouds that have them)`, type: USER_ERROR, nonRetryable: true });
  };
}

/**
 * validateMain's activities on a cloud's queue: the module checkout (on the worker that builds
 * the module) and the cloud's single-node steps, refused for a cloud without them.
 */
function validateActivities(provider: CloudProvider) {
  const s = provider.singleNode;
  const refuse = <I, O>(what: string) => missingStep<I, O>(provider.cloud, what);
  return {
    /** Whether this cloud can validate at all: asked before any side effect. */
    hasSingleNode: async (): Promise<boolean> => s !== undefined,
    moduleCheckout: wrapStep((input: ModuleCheckoutInput, io) => moduleCheckout(input, io)),
    nodeBoot: s ? wrapStep(s.nodeBoot.bind(s)) : refuse<NodeBootInput, NodeBootOutput>('boot a single node'),
    nodeTest: s ? wrapStep(s.nodeTest.bind(s)) : refuse<NodeTestInput, NodeTestOutput>('run tests on a node'),
    nodeTeardown: s ? wrapStep(s.nodeTeardown.bind(s)) : refuse<NodeTeardownInput, TeardownOutput>('tear a single node down'),
    nodeReport: s ? wrapStep(s.nodeReport.bind(s)) : refuse<NodeReportInput, ValidateRunResult>('report a validation run'),
  };
}

/**
 * The step activities of one cloud, registered by the worker on `<base>-<cloud>`. Every cloud
 * registers the same names; the task queue decides which provider runs a step. `preflight`
 * (cloud-neutral) checks a cycle's files and fields before its first step: `rcCycle` calls it
 * for cycles started from the UI or a schedule.
 */
export function createActivities(provider: CloudProvider) {
  return {
    kernelBuild: wrapStep(provider.kernelBuild.bind(provider)),
    imageBake: wrapStep(provider.imageBake.bind(provider)),
    versionPublish: wrapStep(provider.versionPublish.bind(provider)),
    clusterProvision: wrapStep(provider.clusterProvision.bind(provider)),
    deploy: wrapStep(provider.deploy.bind(provider)),
    soakCheck: wrapStep(provider.soakCheck.bind(provider)),
    logHarvest: wrapStep(provider.logHarvest.bind(provider)),
    teardown: wrapStep(provider.teardown.bind(provider)),
    preflight,
    ...validateActivities(provider),
  };
}

export type StepActivities = ReturnType<typeof createActivities>;
