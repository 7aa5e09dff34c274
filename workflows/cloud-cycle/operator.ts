/**
 * The operator's Updates: `retryStep` and `skipStep` answer a parked step, `abort` stops the
 * cycle whether a step is parked or running. Validators refuse what cannot be done, so the
 * operator hears why at once and the history records nothing.
 */
import { setHandler } from '@temporalio/workflow';
import type { MainStep, StepContext } from '../../src/domain/contract';
import { SKIPPABLE_STEPS, abortUpdate, retryStepUpdate, skipStepUpdate, stateQuery, type AbortRequest } from '../../src/domain/cycle-state';
import { formatIssues, type FieldIssue } from '../../src/domain/errors';
import { schemas, toFieldIssues } from '../../src/domain/input';
import type { Cycle } from './cycle';

const accepted = { accepted: true } as const;

/** Answers the state query and the operator's Updates of this cycle. */
export function setOperatorHandlers(c: Cycle): void {
  const { state } = c;
  setHandler(stateQuery, () => state);

  const parkedValidator = (step: MainStep) => {
    if (state.phase !== 'awaiting-operator' || !state.parked) {
      throw new Error(`the cycle is not waiting for an operator (phase: ${state.phase}); nothing to retry or skip`);
    }
    if (state.parked.step !== step) {
      throw new Error(`step "${step}" is not parked; the parked step is "${state.parked.step}"`);
    }
  };
  setHandler(
    retryStepUpdate,
    (req) => {
      c.pending = { kind: 'retry', input: req.input };
      return accepted;
    },
    {
      validator: (req) => {
        parkedValidator(req.step);
        if (req.input !== undefined) validateRetryInput(req.input);
      },
    },
  );
  setHandler(
    skipStepUpdate,
    (_req) => {
      c.pending = { kind: 'skip' };
      return accepted;
    },
    {
      validator: (req) => {
        parkedValidator(req.step);
        if (!SKIPPABLE_STEPS.includes(req.step)) {
          throw new Error(`step "${req.step}" cannot be skipped: later steps need its output; retry it or abort the cycle`);
        }
      },
    },
  );
  setHandler(
    abortUpdate,
    (req) => {
      const reason = req.reason ?? 'aborted by an operator';
      if (state.phase === 'awaiting-operator') c.pending = { kind: 'abort', reason };
      else {
        c.abortRequested = reason;
        c.stepScope?.cancel();
      }
      return accepted;
    },
    {
      validator: (_req: AbortRequest) => {
        if (!['running', 'awaiting-operator'].includes(state.phase)) {
          throw new Error(`the cycle is ${state.phase}; there is nothing to abort`);
        }
      },
    },
  );
}

const RETRYABLE_INPUT_FIELDS = ['soak', 'module', 'manifest', 'baseline'];

/** Refuses a retryStep input patch that names unknown fields or has invalid values. */
function validateRetryInput(patch: Record<string, unknown>): void {
  const issues: FieldIssue[] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (!RETRYABLE_INPUT_FIELDS.includes(key)) {
      issues.push({ field: `input.${key}`, message: `cannot be changed on retry; changeable: ${RETRYABLE_INPUT_FIELDS.join(', ')}` });
      continue;
    }
    const schema = key === 'soak' ? schemas().soak : key === 'module' ? schemas().module : undefined;
    if (schema) {
      const r = schema.partial().safeParse(value);
      if (!r.success) issues.push(...toFieldIssues(r.error, `input.${key}`));
    } else if (typeof value !== 'string' || !value) {
      issues.push({ field: `input.${key}`, message: 'must be a non-empty path' });
    }
  }
  if (issues.length) throw new Error(formatIssues('invalid retryStep input', issues));
}

/** Applies a validated retryStep patch to the step context of this and the later steps. */
export function applyRetryInput(ctx: StepContext, patch: Record<string, unknown>): void {
  // A patch changes only the fields it names; the rest keep their current values.
  if (patch.soak) ctx.soak = schemas().soak.parse({ ...ctx.soak, ...(patch.soak as object) });
  if (patch.module) ctx.module = schemas().module.parse({ ...ctx.module, ...(patch.module as object) });
  if (typeof patch.manifest === 'string') ctx.manifest = patch.manifest;
  if (typeof patch.baseline === 'string') ctx.baseline = patch.baseline;
}
