import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { CloudProvider, StepIO, StepResult } from '../src/domain/contract';
import { INFRA_ERROR, USER_ERROR, isInfraError, isUserError } from '../src/domain/errors';
import { preflight } from './preflight';

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
  };
}

export type StepActivities = ReturnType<typeof createActivities>;
