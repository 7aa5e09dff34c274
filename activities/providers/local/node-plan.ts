import type { StepContext } from '../../../src/domain/contract';
import { UserError, formatIssues, type FieldIssue } from '../../../src/domain/errors';
import { loadManifestOrThrow } from '../../../src/domain/manifest/load';
import type { LocalSpec } from '../../../src/domain/manifest/types';
import { resolveInputPath } from '../../../src/domain/paths';

/** One module load: `insmod <name>.ko <params...>`. */
export interface ModuleLoad {
  name: string;
  /** `key=value` words, in manifest order. */
  params: string[];
}

/** What runs on one node. */
export interface NodePlan {
  name: string;
  modules: ModuleLoad[];
  workload: { network: boolean; trigger?: string | undefined; intervalSeconds: number };
}

/** The whole local cluster of a cycle. */
export interface ClusterPlan {
  memoryMiB: number;
  cpus: number;
  nodes: NodePlan[];
}

export const DEFAULT_NODE_COUNT = 2;
export const DEFAULT_MEMORY_MIB = 1024;
export const DEFAULT_TRIGGER_INTERVAL_S = 5;

/** The local cluster the cycle's manifest asks for (its `local` section), with defaults. */
export async function clusterPlan(ctx: Pick<StepContext, 'manifest' | 'module'>): Promise<ClusterPlan> {
  const manifest = await loadManifestOrThrow(resolveInputPath(ctx.manifest));
  return planFromSpec(manifest.local, ctx.module.name);
}

/**
 * Turns a `local` section into a plan. Without one: two nodes loading the module under test
 * with no parameters, under network load. Checks what the guest protocol needs beyond the
 * manifest schema: unique node names and parameter values without blanks.
 */
export function planFromSpec(spec: LocalSpec | undefined, moduleName: string): ClusterPlan {
  if (!spec) {
    return {
      memoryMiB: DEFAULT_MEMORY_MIB,
      cpus: 1,
      nodes: Array.from({ length: DEFAULT_NODE_COUNT }, (_, i) => ({
        name: `node-${i + 1}`,
        modules: [{ name: moduleName, params: [] }],
        workload: { network: true, intervalSeconds: DEFAULT_TRIGGER_INTERVAL_S },
      })),
    };
  }
  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  const nodes = spec.nodes.map((node, i): NodePlan => {
    if (seen.has(node.name)) issues.push({ field: `local.nodes[${i}].name`, message: `"${node.name}" is used by another node: give each node its own name` });
    seen.add(node.name);
    const modules = node.modules.map((m, j): ModuleLoad => ({
      name: m.name,
      params: Object.entries(m.params ?? {}).map(([key, value]) => {
        const text = typeof value === 'boolean' ? (value ? 'Y' : 'N') : String(value);
        if (!text || /\s/.test(text)) {
          issues.push({ field: `local.nodes[${i}].modules[${j}].params.${key}`, message: 'a parameter value must be non-empty and have no blanks (the guest splits on them)' });
        }
        return `${key}=${text}`;
      }),
    }));
    const trigger = node.workload?.moduleTrigger;
    if (trigger !== undefined && /\s/.test(trigger)) {
      issues.push({ field: `local.nodes[${i}].workload.moduleTrigger`, message: 'a guest path without blanks, e.g. /proc/kbug' });
    }
    return {
      name: node.name,
      modules,
      workload: {
        network: node.workload?.network ?? true,
        trigger,
        intervalSeconds: node.workload?.intervalSeconds ?? DEFAULT_TRIGGER_INTERVAL_S,
      },
    };
  });
  if (issues.length > 0) {
    throw new UserError(formatIssues('the local section of the manifest cannot run', issues), issues[0]?.field, 'fix the fields listed');
  }
  return { memoryMiB: spec.memoryMiB ?? DEFAULT_MEMORY_MIB, cpus: spec.cpus ?? 1, nodes };
}

/** The line a deploy reports for one module load: `node-uaf: kbug bug=uaf,leak`. */
export function releaseLine(node: string, m: ModuleLoad): string {
  return [`${node}: ${m.name}`, ...m.params].join(' ');
}
