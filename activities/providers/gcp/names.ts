/** Naming rules of the gcp cloud: what GCP accepts for names, regions, zones and labels. Pure module. */
import { createHash } from 'node:crypto';

/** GKE cluster and Compute resource names: a lowercase letter, then lowercase letters, digits, `-`; no `-` last; ≤40 for GKE. */
export const GKE_CLUSTER = /^[a-z](?:[a-z0-9-]*[a-z0-9])?$/;
export const GKE_CLUSTER_MAX = 40;

/** Region codes such as `europe-west1` or `us-central1`. */
export const GCP_REGION = /^[a-z]+(?:-[a-z]+)+\d+$/;
/** Zone codes: a region and a letter (`europe-west1-b`). */
export const GCP_ZONE = /^[a-z]+(?:-[a-z]+)+\d+-[a-z]$/;
/** Project ids: 6 to 30 lowercase letters, digits and `-`, a letter first, no `-` last. */
export const GCP_PROJECT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

/** A label value holds only lowercase letters, digits, `-` and `_`, at most 63 characters. */
export const LABEL_VALUE = /^[a-z0-9_-]{0,63}$/;
export const LABEL_MAX = 63;

/**
 * Maps any value (an rc such as `v1.4.0-RC2`, a cycle id, a digest) onto the label charset:
 * lowercased, every other character `_`. A value longer than 63 keeps its first 54
 * characters and a hash of the whole, so two long values never map to the same label.
 */
export function labelValue(value: string): string {
  const mapped = value.toLowerCase().replace(/[^a-z0-9_-]/g, '_');
  if (mapped.length <= LABEL_MAX) return mapped;
  return `${mapped.slice(0, LABEL_MAX - 9)}_${createHash('sha256').update(value).digest('hex').slice(0, 8)}`;
}

/** The labels every rcdebug resource carries (mapped onto the label charset). */
export function rcdebugLabels(v: { cycleId?: string | undefined; rc?: string | undefined; flavor?: string | undefined; digest?: string | undefined }): Record<string, string> {
  const out: Record<string, string> = { 'managed-by': 'rcdebug' };
  if (v.cycleId) out['rcdebug-cycle'] = labelValue(v.cycleId);
  if (v.rc) out['rcdebug-rc'] = labelValue(v.rc);
  if (v.flavor) out['rcdebug-flavor'] = labelValue(v.flavor);
  if (v.digest) out['rcdebug-digest'] = labelValue(v.digest);
  return out;
}

/** The image family of a flavor. */
export function imageFamily(flavor: string): string {
  return `rcdebug-${labelValue(flavor).replace(/_/g, '-')}`;
}

/** A resource name for a cycle: lowercase, `-` only, a letter first, at most `max` characters. */
export function resourceName(prefix: string, id: string, max = 40): string {
  const hash = createHash('sha256').update(id).digest('hex').slice(0, 8);
  const body = id.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/-+/g, '-');
  return `${prefix}-${body}`.slice(0, max - 9).replace(/-+$/, '') + `-${hash}`;
}
