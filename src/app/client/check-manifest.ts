import { loadManifestFor } from '../../../activities/cycle-manifest';
import type { CycleInput } from '../../domain/contract';
import { UserError, formatIssues } from '../../domain/errors';
import { resolveInputPath } from '../../domain/paths';

/**
 * Validates a cycle's manifest on the client, before anything starts: the file itself, and for
 * each cloud the cycle runs on its section and its plugin's rules. Returns the warnings.
 */
export async function checkCycleManifest(input: CycleInput): Promise<string[]> {
  const path = resolveInputPath(input.manifest);
  const result = await loadManifestFor(path, input.clouds);
  if (result.errors.length) {
    throw new UserError(formatIssues(`manifest ${path}`, result.errors), 'manifest', 'fix the manifest, or pass another with --manifest');
  }
  return result.warnings.map((w) => `${w.field}: ${w.message}`);
}
