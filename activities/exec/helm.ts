/** helm as every cloud's deploy runs it: the arguments of one deployment and what in its output is the manifest's to fix. */
import { resolve } from 'node:path';
import { UserError } from '../../src/domain/errors';
import type { HelmDeployment } from '../../src/domain/manifest/types';

/** helm's arguments for one deployment (no credentials: the kubeconfig is a file path). */
export function helmArgs(release: string, d: HelmDeployment, kubeconfig: string, manifestDir: string): string[] {
  return [
    'upgrade', '--install', release, `oci://${d.registry}/${d.chart}`,
    '--version', d.version,
    '--namespace', d.namespace, '--create-namespace',
    ...(d.valuesFile ? ['--values', resolve(manifestDir, d.valuesFile)] : []),
    '--atomic', '--wait', '--timeout', '15m',
    '--kubeconfig', kubeconfig,
  ];
}

/** A chart or version the registry does not have, or a registry that refuses us, is the manifest's to fix. */
export function classifyHelm(field: string, d: HelmDeployment) {
  return (f: { tail: string[] }): Error | undefined => {
    const text = f.tail.join('\n');
    if (/not found|manifest unknown|FetchReference|404/i.test(text)) {
      return new UserError(
        `the chart oci://${d.registry}/${d.chart} version ${d.version} is not in the registry: fix chart, version or registry in the manifest (${text.split('\n').filter((l) => /error/i.test(l)).pop() ?? f.tail.at(-1) ?? ''})`,
        field,
      );
    }
    if (/unauthorized|denied|403|401/i.test(text)) {
      return new UserError(`the registry ${d.registry} refused to serve ${d.chart}: log the worker in (helm registry login ${d.registry.split('/')[0]})`, `${field.replace(/\.chart$/, '')}.registry`);
    }
    return undefined;
  };
}
