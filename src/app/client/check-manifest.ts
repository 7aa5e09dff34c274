import type { CycleInput } from '../../domain/contract';
import { UserError, formatIssues, type FieldIssue } from '../../domain/errors';
import { loadManifest } from '../../domain/manifest';
import { resolveInputPath } from '../../domain/paths';

/**
 * Validates a cycle's manifest on the client, before anything starts: the file itself, and
 * that it has a section for every cloud the cycle runs on.
 */
export async function checkCycleManifest(input: CycleInput): Promise<string[]> {
  const path = resolveInputPath(input.manifest);
  const result = await loadManifest(path);
  const issues: FieldIssue[] = [...result.errors];
  const m = result.manifest;
  if (m) {
    if (input.clouds.includes('local') && !m.local) {
      issues.push({ field: 'local', message: 'the cycle runs on the local cloud but the manifest has no `local` section (nodes and their modules)' });
    }
    const cloudClouds = input.clouds.filter((c) => c !== 'local');
    if (cloudClouds.length && !m.workloadCluster) {
      issues.push({ field: 'workloadCluster', message: `the cycle runs on ${cloudClouds.join(', ')} but the manifest has no workloadCluster to run the debug image on` });
    }
  }
  if (issues.length) {
    throw new UserError(formatIssues(`manifest ${path}`, issues), 'manifest', 'fix the manifest, or pass another with --manifest');
  }
  return result.warnings.map((w) => `${w.field}: ${w.message}`);
}
