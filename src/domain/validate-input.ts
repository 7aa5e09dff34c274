/**
 * validateMain's input: one schema for the UI, `rcdebug validate` and schedules, checked by the
 * workflow itself before any side effect. Pure module: workflow code imports it.
 */
import { z } from 'zod';
import { CLOUDS, DEFAULT_CLOUD, FLAVORS, PROFILE_NAMES } from './contract';
import type { FieldIssue } from './errors';
import { toFieldIssues, type ParseResult } from './input';
import type { ValidateInput } from './validate';

/** Test timeout when none is given: KUnit suites plus a test command on a TCG debug guest. */
export const DEFAULT_TEST_TIMEOUT_SECONDS = 600;

const oneLine = (what: string) => z.string().refine((s) => !/[\r\n]/.test(s), { error: `${what} must be one line` });

let built: ReturnType<typeof build> | undefined;
function build() {
  const override = z.object({ scheduleToStartSeconds: z.number().int().positive().optional(), startToCloseSeconds: z.number().int().positive().optional(), heartbeatSeconds: z.number().int().positive().optional(), maximumAttempts: z.number().int().positive().optional(), initialIntervalSeconds: z.number().int().positive().optional() }).strict();
  return z
    .object({
      repo: z.string({ error: 'repo is required: a git URL, or a path to the module\'s repository on the worker' }).trim().min(1, { error: 'repo is empty: give a git URL or a path' }),
      ref: z.string().trim().min(1, { error: 'ref is empty: give a branch, tag or commit' }).default('main'),
      clouds: z.array(z.enum(CLOUDS, { error: (i) => `unknown cloud ${JSON.stringify(i.input)}: clouds takes ${CLOUDS.join(', ')}` })).min(1).default([DEFAULT_CLOUD]),
      flavors: z.array(z.enum(FLAVORS, { error: (i) => `unknown flavor ${JSON.stringify(i.input)}: use ${FLAVORS.join(', ')}` })).min(1).default(['kasan']),
      kunitSuites: z.array(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, { error: 'a KUnit suite name: letters, digits, _ . and -' })).optional(),
      testCommand: oneLine('testCommand').refine((s) => s.trim().length > 0, { error: 'testCommand is empty: leave it out or give a command' }).optional(),
      testTimeoutSeconds: z.number({ error: 'testTimeoutSeconds must be a number of seconds' }).int().min(10, { error: 'testTimeoutSeconds must be at least 10 s' }).max(86_400, { error: 'testTimeoutSeconds must be at most 86400 s (24 h)' }).default(DEFAULT_TEST_TIMEOUT_SECONDS),
      moduleParams: oneLine('moduleParams').refine((s) => /^(\s*[A-Za-z0-9_]+=\S+)*\s*$/.test(s), { error: 'moduleParams takes key=value words, e.g. "bug=none"' }).optional(),
      baseline: z.string().min(1).optional(),
      taskQueue: z.string().min(1).default('rcdebug'),
      profiles: z.partialRecord(z.enum(PROFILE_NAMES), override).optional(),
    })
    .strict();
}

export type RawValidateInput = z.input<ReturnType<typeof build>>;

/** Applies defaults and checks a raw validate input; never throws. */
export function parseValidateInput(raw: unknown): ParseResult<ValidateInput> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { errors: [{ field: '(input)', message: 'the validate input must be a JSON object such as {"repo": "https://git.example.com/mod.git", "ref": "main"}' }] };
  }
  built ??= build();
  const parsed = built.safeParse(raw);
  if (!parsed.success) return { errors: toFieldIssues(parsed.error) };
  const value = parsed.data as ValidateInput;
  const errors: FieldIssue[] = [];
  for (const [field, list] of [['clouds', value.clouds], ['flavors', value.flavors], ['kunitSuites', value.kunitSuites ?? []]] as const) {
    const dup = list.find((v, i) => (list as readonly string[]).indexOf(v) !== i);
    if (dup) errors.push({ field, message: `"${dup}" is listed twice` });
  }
  return errors.length ? { errors } : { value, errors };
}
