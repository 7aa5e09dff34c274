/**
 * The cycle input: one schema for the UI, the CLI, schedules and the workflow itself, with a
 * default for everything but `rc`. Pure module: `rcCycle` validates its raw input with it, so
 * a cycle started from the Temporal UI is checked exactly like one started from the CLI.
 */
import { z } from 'zod';
import { CLOUDS, DEFAULT_CLOUD, FLAVORS, ON_KERNEL_ERROR, PROFILE_NAMES, SOAK_STOP_ON, STEPS, type CycleInput } from './contract';
import type { FieldIssue } from './errors';

const DAY = 86_400;

/** Release candidate versions: `1.4.0-rc2`, `v6.1.0-rc1`, `2024.11.0`, `v2.0`. */
export const RC_PATTERN = /^v?\d+\.\d+(\.\d+)?([-+][0-9A-Za-z.-]+)?$/;

const seconds = (what: string, min: number, max: number) =>
  z
    .number({ error: `${what} must be a number of seconds` })
    .int({ error: `${what} must be a whole number of seconds` })
    .min(min, { error: `${what} must be at least ${min} s` })
    .max(max, { error: `${what} must be at most ${max} s (${Math.round(max / 3600)} h)` });

export const DEFAULT_MODULE = { name: 'kbug', source: 'kernel/examples/kbug', version: '0.1.0' };
export const DEFAULT_MANIFEST = 'manifests/local-demo.yaml';

/**
 * Builds the schemas. The workflow sandbox evaluates this module again for every workflow, and
 * building zod schemas is the costly part, while most workflows never validate anything (only
 * `rcCycle` at its start and `cloudCycle` on a `retryStep` do): so they are built on first use.
 */
function buildSchemas() {
  const soak = z
    .object({
      durationSeconds: seconds('the soak duration', 0, 7 * DAY).default(120),
      checkIntervalSeconds: seconds('the health-check interval', 1, 3_600).default(15),
      scanIntervalSeconds: seconds('the kmemleak scan interval', 0, DAY).default(60),
      stopOn: z
        .enum(SOAK_STOP_ON, {
          error: (issue) => `${JSON.stringify(issue.input)} is not a reason to stop the soak: use "new-finding" (end it at the first finding not in the baseline), or leave soak.stopOn out to run the soak out`,
        })
        .optional(),
    })
    .strict();

  const module = z
    .object({
      name: z.string().regex(/^[A-Za-z0-9_-]{1,56}$/, { error: 'a kernel module name: letters, digits, _ and -' }),
      source: z.string().min(1),
      version: z.string().min(1).default('0.0.0-dev'),
    })
    .strict();

  const cloudName = z.enum(CLOUDS, {
    error: (issue) => `unknown cloud ${JSON.stringify(issue.input)}: clouds takes ${CLOUDS.join(', ')} (the clouds this build has a plugin for)`,
  });
  const flavorName = z.enum(FLAVORS, { error: `unknown flavor; use one of ${FLAVORS.join(', ')}` });

  const cycleInput = z
    .object({
      rc: z
        .string({ error: 'rc is required: the release candidate version, e.g. "v1.4.0-rc2"' })
        .regex(RC_PATTERN, { error: 'rc must be a version string such as "v1.4.0-rc2" or "2.0.1"' }),
      clouds: z.array(cloudName).min(1, { error: 'name at least one cloud' }).default([DEFAULT_CLOUD]),
      flavors: z.array(flavorName).min(1, { error: 'name at least one flavor' }).default(['kasan']),
      // An absent soak is an empty one: the field defaults above fill it in.
      soak: soak.prefault({}),
      teardown: z.enum(['always', 'keep-on-failure', 'keep']).default('always'),
      manifest: z.string().min(1).default(DEFAULT_MANIFEST),
      module: module.default(DEFAULT_MODULE),
      baseline: z.string().min(1).optional(),
      operatorTimeoutSeconds: seconds('operatorTimeoutSeconds', 1, 30 * DAY).default(DAY),
      onKernelError: z
        .enum(ON_KERNEL_ERROR, {
          error: (issue) => `${JSON.stringify(issue.input)} is not a way to handle a kernel error: use "report" (keep the node running and report it) or "panic" (the first oops, lockup, hung task or KASAN report panics its node)`,
        })
        .default('report'),
      panicOnWarn: z.boolean({ error: 'panicOnWarn must be true or false' }).optional(),
      taskQueue: z.string().regex(/^[A-Za-z0-9._-]{1,200}$/, { error: 'a task queue name: letters, digits, . _ -' }).default('rcdebug'),
      profiles: z
        .partialRecord(
          z.enum(PROFILE_NAMES, { error: `unknown profile; use one of ${PROFILE_NAMES.join(', ')}` }),
          z
            .object({
              scheduleToStartSeconds: seconds('scheduleToStartSeconds', 1, DAY).optional(),
              startToCloseSeconds: seconds('startToCloseSeconds', 1, DAY).optional(),
              heartbeatSeconds: seconds('heartbeatSeconds', 1, 3_600).optional(),
              maximumAttempts: z.number().int().min(1).max(100).optional(),
              initialIntervalSeconds: seconds('initialIntervalSeconds', 1, 3_600).optional(),
            })
            .strict(),
        )
        .optional(),
      reuse: z.record(z.string(), z.partialRecord(z.enum(STEPS), z.unknown())).optional(),
    })
    .strict();

  return { soak, module, cycleInput };
}

let built: ReturnType<typeof buildSchemas> | undefined;
/** The cycle input schema and the parts `retryStep` may change, built once per module instance. */
export function schemas(): ReturnType<typeof buildSchemas> {
  built ??= buildSchemas();
  return built;
}

export type RawCycleInput = z.input<ReturnType<typeof buildSchemas>['cycleInput']>;

export interface ParseResult<T> {
  value?: T;
  errors: FieldIssue[];
}

/** Turns zod issues into field issues with dotted paths. */
export function toFieldIssues(error: z.ZodError, prefix = ''): FieldIssue[] {
  return error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') {
      message = `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}: remove them or check the spelling`;
    }
    return { field: path || '(input)', message };
  });
}

/** Rules across fields, after the shape is right. */
function rules(input: CycleInput): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const { soak } = input;
  if (soak.durationSeconds > 0 && soak.checkIntervalSeconds > soak.durationSeconds) {
    issues.push({ field: 'soak.checkIntervalSeconds', message: `must not exceed soak.durationSeconds (${soak.durationSeconds} s)` });
  }
  // Each check is an activity in the workflow history; bound them so a cycle stays replayable.
  if (soak.durationSeconds / soak.checkIntervalSeconds > 5_000) {
    issues.push({ field: 'soak.checkIntervalSeconds', message: 'more than 5000 health checks per soak: raise the interval or shorten the soak' });
  }
  if (input.panicOnWarn && input.onKernelError !== 'panic') {
    issues.push({ field: 'panicOnWarn', message: 'panics on a WARN only with onKernelError "panic": set it, or leave panicOnWarn out' });
  }
  for (const [field, list] of [['clouds', input.clouds], ['flavors', input.flavors]] as const) {
    const dup = list.find((v, i) => list.indexOf(v as never) !== i);
    if (dup) issues.push({ field, message: `"${dup}" is listed twice` });
  }
  return issues;
}

/** Applies defaults and checks a raw cycle input; never throws. */
export function parseCycleInput(raw: unknown): ParseResult<CycleInput> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { errors: [{ field: '(input)', message: 'the cycle input must be a JSON object such as {"rc": "v1.0.0-rc1"}' }] };
  }
  const parsed = schemas().cycleInput.safeParse(raw);
  if (!parsed.success) return { errors: toFieldIssues(parsed.error) };
  const value = parsed.data as CycleInput;
  const errors = rules(value);
  return errors.length ? { errors } : { value, errors };
}

/** Child key of a cloud and flavor: names the child workflow and the `reuse` entries. */
export function childKey(cloud: string, flavor: string): string {
  return `${cloud}-${flavor}`;
}
