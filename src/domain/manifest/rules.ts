/**
 * Named rules across the fields of a manifest that passed the schema: what the shape alone
 * cannot say. Each rule returns issues; none throws. Reads the file system only to check
 * values files. These hold for every cloud; a cloud's own rules are in its plugin.
 */
import { statSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { FieldIssue } from '../errors';
import { SECTIONS } from './schema';
import type { ClusterSpec, Manifest } from './types';

export interface RuleContext {
  /** The manifest's folder: values files resolve against it and must stay inside it. */
  dir: string;
}

export interface RuleFindings {
  errors: FieldIssue[];
  warnings: FieldIssue[];
}

/** A named check across fields. */
export interface ManifestRule {
  name: string;
  check(m: Manifest, ctx: RuleContext, out: RuleFindings): void;
}

const CLUSTERS = ['cpCluster', 'workloadCluster'] as const;

function clusters(m: Manifest): [string, ClusterSpec][] {
  return CLUSTERS.flatMap((k) => (m[k] ? [[k, m[k]] as [string, ClusterSpec]] : []));
}

export const rules: ManifestRule[] = [
  {
    name: 'at-least-one-target',
    check(m, _ctx, out) {
      if (!Object.values(m).some((section) => section !== undefined)) {
        out.errors.push({ field: '(root)', message: `the manifest has nothing to deploy: add one of ${SECTIONS.join(', ')}` });
      }
    },
  },
  {
    name: 'deployments-not-empty',
    check(m, _ctx, out) {
      for (const [key, c] of clusters(m)) {
        if (Object.keys(c.deployments).length === 0) {
          out.warnings.push({ field: `${key}.deployments`, message: 'no deployments: the cluster is provisioned but nothing is installed on it' });
        }
      }
    },
  },
  {
    name: 'values-file-inside-manifest-folder',
    check(m, ctx, out) {
      const dir = resolve(ctx.dir);
      for (const [key, c] of clusters(m)) {
        for (const [release, d] of Object.entries(c.deployments)) {
          if (d.valuesFile === undefined) continue;
          const field = `${key}.deployments.${release}.valuesFile`;
          const full = resolve(dir, d.valuesFile);
          const rel = relative(dir, full);
          if (isAbsolute(d.valuesFile) || rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
            out.errors.push({ field, message: `${d.valuesFile} is outside the manifest's folder ${dir}: give a path relative to it, inside it` });
            continue;
          }
          let isFile = false;
          try {
            isFile = statSync(full).isFile();
          } catch {
            out.errors.push({ field, message: `${full} does not exist: create it or fix the path (relative to ${dir})` });
            continue;
          }
          if (!isFile) out.errors.push({ field, message: `${full} is not a file` });
        }
      }
    },
  },
  {
    name: 'distinct-cluster-names',
    check(m, _ctx, out) {
      if (m.cpCluster && m.workloadCluster && m.cpCluster.clusterName === m.workloadCluster.clusterName
        && m.cpCluster.clusterRegion === m.workloadCluster.clusterRegion) {
        out.warnings.push({
          field: 'workloadCluster.clusterName',
          message: `the control-plane and workload clusters are the same cluster (${m.cpCluster.clusterName}): the control plane will run on the debug kernel too`,
        });
      }
    },
  },
  {
    name: 'release-unique-per-cluster-namespace',
    check(m, _ctx, out) {
      // Release names are unique per namespace in Helm; two clusters with the same name and
      // region are one cluster, so a release may not appear in both with one namespace.
      const seen = new Map<string, string>();
      for (const [key, c] of clusters(m)) {
        for (const [release, d] of Object.entries(c.deployments)) {
          const id = `${c.clusterRegion}/${c.clusterName}/${d.namespace}/${release}`;
          const other = seen.get(id);
          if (other) {
            out.errors.push({ field: `${key}.deployments.${release}`, message: `the same release as ${other} (same cluster and namespace): rename one of them` });
          } else {
            seen.set(id, `${key}.deployments.${release}`);
          }
        }
      }
    },
  },
];
