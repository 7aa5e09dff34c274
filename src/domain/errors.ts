/**
 * The two error families of the failure model. Pure module: workflows import it.
 *
 * A `UserError` is the user's to fix (bad manifest, dropped config option, missing chart) and is
 * never retried. An `InfraError` is the infrastructure's (timeouts, throttling, a VM that never
 * booted) and is retried by the step's activity profile. A kernel finding is neither: it is a
 * result.
 */

/** The failure type names carried by ApplicationFailure across the Temporal boundary. */
export const USER_ERROR = 'UserError';
export const INFRA_ERROR = 'InfraError';

/** Something the user must fix; the message says what and how. */
export class UserError extends Error {
  override readonly name = USER_ERROR;
  constructor(
    message: string,
    /** The input field, file or option at fault, when there is one. */
    readonly field?: string,
    /** What to do next. */
    readonly hint?: string,
  ) {
    super(message);
  }
}

/**
 * A service a command needs (the Temporal server) did not answer; nothing was changed. A
 * UserError still, since the user's settings or a server to start are what to fix.
 */
export class UnreachableError extends UserError {}

/** A failure of the infrastructure; retrying may help. */
export class InfraError extends Error {
  override readonly name = INFRA_ERROR;
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

export function isUserError(err: unknown): err is UserError {
  return err instanceof Error && err.name === USER_ERROR;
}

export function isInfraError(err: unknown): err is InfraError {
  return err instanceof Error && err.name === INFRA_ERROR;
}

/** One invalid field: where and what to do. */
export interface FieldIssue {
  /** Dotted path of the field, e.g. `soak.durationSeconds`. */
  field: string;
  message: string;
}

/** Formats field issues as one message a user can act on. */
export function formatIssues(what: string, issues: FieldIssue[]): string {
  return `${what}:\n${issues.map((i) => `  - ${i.field}: ${i.message}`).join('\n')}`;
}
