/**
 * A manifest as the clouds of a cycle read it: the shared schema and rules (src/domain/manifest),
 * then for each cloud the section it needs and its own rules (its plugin's).
 */
import { dirname, resolve } from 'node:path';
import type { CloudName } from '../src/domain/contract';
import type { FieldIssue } from '../src/domain/errors';
import { loadManifest, type ManifestValidation } from '../src/domain/manifest';
import type { RuleContext } from '../src/domain/manifest/rules';
import type { CloudPlugin } from './plugin';
import { loadPlugins } from './plugins';

/**
 * Adds the clouds' checks to a validation that passed the shared ones. With `required`, each
 * plugin's section must be there (a cycle runs on each) and every one's rules apply. Without
 * (`rcdebug manifest validate` with no cloud named), only the clouds whose section the
 * manifest has are checked, and a section several clouds read (`workloadCluster`) is valid
 * when one of them accepts it: a `westeurope` region is an Azure manifest, not a bad AWS one.
 * When none accepts it, the first cloud's errors are reported, naming that cloud.
 */
export function withCloudRules(base: ManifestValidation, ctx: RuleContext, plugins: CloudPlugin[], required: boolean): ManifestValidation {
  const m = base.manifest;
  if (!m) return base;
  const out = { errors: [...base.errors] as FieldIssue[], warnings: [...base.warnings] as FieldIssue[] };
  const ran = new Set<string>();
  const run = (plugin: CloudPlugin, into: typeof out) => {
    for (const rule of plugin.manifestRules) {
      // Two clouds may share a rule; it reports once.
      if (ran.has(rule.name)) continue;
      ran.add(rule.name);
      rule.check(m, ctx, into);
    }
  };
  if (required) {
    for (const plugin of plugins) {
      const { key, purpose } = plugin.manifestSection;
      if (!m[key]) out.errors.push({ field: key, message: `the cycle runs on ${plugin.cloud} but the manifest has no ${key} section (${purpose})` });
      else run(plugin, out);
    }
    return { manifest: out.errors.length ? undefined : m, ...out };
  }
  const bySection = new Map<string, CloudPlugin[]>();
  for (const plugin of plugins) {
    if (!m[plugin.manifestSection.key]) continue;
    bySection.set(plugin.manifestSection.key, [...(bySection.get(plugin.manifestSection.key) ?? []), plugin]);
  }
  for (const claimants of bySection.values()) {
    const tries = claimants.map((plugin) => {
      const one = { errors: [] as FieldIssue[], warnings: [] as FieldIssue[] };
      ran.clear();
      run(plugin, one);
      return { plugin, ...one };
    });
    const accepted = tries.find((t) => t.errors.length === 0);
    const pick = accepted ?? tries[0];
    if (!pick) continue;
    const named = claimants.length > 1 && !accepted;
    out.errors.push(...pick.errors.map((e) => (named ? { ...e, message: `${e.message} (checked as ${pick.plugin.cloud}, which no cloud reading this section accepts; name the cloud with --clouds)` } : e)));
    out.warnings.push(...pick.warnings);
  }
  return { manifest: out.errors.length ? undefined : m, ...out };
}

/** Loads a manifest file and checks it for the given clouds (none given: the clouds it has sections for). */
export async function loadManifestFor(path: string, clouds?: readonly CloudName[]): Promise<ManifestValidation> {
  const file = resolve(path);
  const base = await loadManifest(file);
  const plugins = await loadPlugins(clouds);
  return withCloudRules(base, { dir: dirname(file) }, plugins, clouds !== undefined);
}
