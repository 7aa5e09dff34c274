import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { UserError, formatIssues } from '../errors';
import type { Manifest } from './types';
import { validateManifest, type ManifestValidation } from './validate';

/**
 * Reads and validates a manifest file. A missing file or a YAML syntax error is an issue too
 * (naming the file and line), so callers handle one kind of result.
 */
export async function loadManifest(path: string): Promise<ManifestValidation> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? (err as Error).message})`;
    return { errors: [{ field: file, message: `the manifest ${why}: check the path` }], warnings: [] };
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      errors: doc.errors.map((e) => {
        const line = e.linePos?.[0];
        const where = line ? `${file}:${line.line}:${line.col}` : file;
        return { field: where, message: `YAML syntax error: ${e.message.split('\n')[0]}` };
      }),
      warnings: [],
    };
  }
  return validateManifest(doc.toJS(), { dir: dirname(file) });
}

/** Reads and validates a manifest, throwing a UserError that lists every issue. */
export async function loadManifestOrThrow(path: string): Promise<Manifest> {
  const result = await loadManifest(path);
  if (!result.manifest) {
    const first = result.errors[0];
    throw new UserError(formatIssues(`the manifest ${resolve(path)} is invalid`, result.errors), first?.field, 'fix the fields listed and start again');
  }
  return result.manifest;
}
