import type { z } from 'zod';
import type { FieldIssue } from '../errors';
import { rules, type RuleContext } from './rules';
import { SECTIONS, manifestSchema } from './schema';
import type { Manifest } from './types';

/** The outcome of validating a manifest: the manifest only when there are no errors. */
export interface ManifestValidation {
  manifest?: Manifest | undefined;
  errors: FieldIssue[];
  warnings: FieldIssue[];
}

/**
 * Validates a parsed manifest: the schema first (shape, unknown keys, names), then the named
 * rules across fields. Never throws for bad input; every issue names its dotted field.
 */
export function validateManifest(raw: unknown, ctx: RuleContext): ManifestValidation {
  if (raw === null || raw === undefined) {
    return { errors: [{ field: '(root)', message: `the manifest is empty: add one of ${SECTIONS.join(', ')}` }], warnings: [] };
  }
  // reportInput tells a missing field (required) from a wrong type (a YAML number for a version).
  const parsed = manifestSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    return { errors: parsed.error.issues.flatMap(toFieldIssues), warnings: [] };
  }
  const out = { errors: [] as FieldIssue[], warnings: [] as FieldIssue[] };
  for (const rule of rules) rule.check(parsed.data, ctx, out);
  return { manifest: out.errors.length === 0 ? parsed.data : undefined, ...out };
}

function dotted(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(root)' : path.map(String).join('.');
}

/** Turns one zod issue into issues a user can act on (unknown keys one by one, with the allowed ones). */
function toFieldIssues(issue: z.core.$ZodIssue): FieldIssue[] {
  const field = dotted(issue.path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((k) => ({ field: dotted([...issue.path, k]), message: 'unknown key: remove it or fix its spelling' }));
    case 'invalid_key':
      return issue.issues.map((i) => ({ field, message: `invalid name: ${i.message}` }));
    case 'invalid_type':
      return [{ field, message: issue.input === undefined ? `required (${issue.expected})` : `expected ${issue.expected}, got ${brief(issue.input)}` }];
    default:
      return [{ field, message: issue.message }];
  }
}

/** A short rendering of a bad value for a message. */
function brief(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
