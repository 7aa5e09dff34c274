/**
 * The local cloud's rules on the manifest's `local` section: what the qemu nodes and the
 * guest agent need beyond the shape (unique node names, each module once per node, parameter
 * values the guest can pass on, since it splits its commands on blanks).
 */
import type { ManifestRule } from '../../../src/domain/manifest/rules';

export const localManifestRules: ManifestRule[] = [
  {
    name: 'local-node-names-unique',
    check(m, _ctx, out) {
      const seen = new Map<string, number>();
      m.local?.nodes.forEach((n, i) => {
        const first = seen.get(n.name);
        if (first !== undefined) {
          out.errors.push({ field: `local.nodes.${i}.name`, message: `node name ${n.name} is already used by local.nodes.${first}: node names must be unique` });
        } else {
          seen.set(n.name, i);
        }
      });
    },
  },
  {
    name: 'local-module-once-per-node',
    check(m, _ctx, out) {
      m.local?.nodes.forEach((n, i) => {
        const seen = new Set<string>();
        n.modules.forEach((mod, j) => {
          if (seen.has(mod.name)) {
            out.errors.push({ field: `local.nodes.${i}.modules.${j}.name`, message: `module ${mod.name} is loaded twice on node ${n.name}: merge the two entries` });
          }
          seen.add(mod.name);
        });
      });
    },
  },
  {
    name: 'local-words-without-blanks',
    check(m, _ctx, out) {
      m.local?.nodes.forEach((n, i) => {
        n.modules.forEach((mod, j) => {
          for (const [key, value] of Object.entries(mod.params ?? {})) {
            if (typeof value === 'string' && (value === '' || /\s/.test(value))) {
              out.errors.push({
                field: `local.nodes.${i}.modules.${j}.params.${key}`,
                message: `${JSON.stringify(value)}: a parameter value must be non-empty and have no blanks (the guest splits on them); e.g. use a comma`,
              });
            }
          }
        });
        const trigger = n.workload?.moduleTrigger;
        if (trigger !== undefined && /\s/.test(trigger)) {
          out.errors.push({ field: `local.nodes.${i}.workload.moduleTrigger`, message: 'a guest path without blanks, e.g. /proc/kbug' });
        }
      });
    },
  },
  {
    name: 'local-trigger-has-interval',
    check(m, _ctx, out) {
      m.local?.nodes.forEach((n, i) => {
        if (n.workload?.intervalSeconds !== undefined && n.workload.moduleTrigger === undefined && !n.workload.network) {
          out.warnings.push({ field: `local.nodes.${i}.workload.intervalSeconds`, message: 'set, but the workload has neither a moduleTrigger nor network traffic: it does nothing' });
        }
      });
    },
  },
];
