import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { repoRoot } from '../paths';
import { manifestSchema } from './schema';

/** Where the generated JSON Schema lives, for editors (`# yaml-language-server: $schema=...`). */
export const manifestJsonSchemaPath = join(repoRoot, 'manifests', 'manifest.schema.json');

/** The JSON Schema of the manifest, generated from the zod schema. */
export function manifestJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(manifestSchema, { target: 'draft-2020-12' });
  return { ...schema, title: 'rcdebug deployment manifest' };
}

/** The file's exact text: stable key order, two-space indent, trailing newline. */
export function manifestJsonSchemaText(): string {
  return `${JSON.stringify(manifestJsonSchema(), null, 2)}\n`;
}

/** Rewrites manifests/manifest.schema.json (run via `RCDEBUG_UPDATE_SCHEMA=1 npx vitest run test/manifest`). */
export async function writeManifestJsonSchema(path = manifestJsonSchemaPath): Promise<void> {
  await writeFile(path, manifestJsonSchemaText());
}
