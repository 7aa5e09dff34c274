import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isUserError } from '../../src/domain/errors';
import { loadManifest, loadManifestOrThrow } from '../../src/domain/manifest/load';
import { repoRoot } from '../../src/domain/paths';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rcdebug-manifest-load-'));
  writeFileSync(join(dir, 'v.yaml'), 'x: 1\n');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const good = `workloadCluster:
  clusterName: apps
  clusterRegion: eu-west-1
  deployments:
    agent: { chart: agent, version: v0.1.17, registry: ghcr.io/riptideslabs/helm, namespace: riptides-system, valuesFile: v.yaml }
`;

describe('loadManifest', () => {
  it.each([
    { name: 'valid file', text: good, field: undefined, fragment: undefined },
    { name: 'YAML syntax error names file and line', text: 'workloadCluster:\n  clusterName: [apps\n  clusterRegion: x\n', field: /m\.yaml:\d+:\d+$/, fragment: 'YAML syntax error' },
    { name: 'duplicate key is a syntax error', text: `${good}workloadCluster: {}\n`, field: /m\.yaml:6:1$/, fragment: 'YAML syntax error' },
    { name: 'empty file', text: '', field: /^\(root\)$/, fragment: 'empty' },
    { name: 'bad field named', text: good.replace('v0.1.17', 'main'), field: /^workloadCluster\.deployments\.agent\.version$/, fragment: 'SemVer' },
  ])('$name', async ({ text, field, fragment }) => {
    const file = join(dir, 'm.yaml');
    writeFileSync(file, text);
    const r = await loadManifest(file);
    if (!field) {
      expect(r.errors).toEqual([]);
      expect(r.manifest?.workloadCluster?.deployments.agent?.valuesFile).toBe('v.yaml');
      return;
    }
    expect(r.manifest).toBeUndefined();
    expect(r.errors[0]?.field).toMatch(field);
    expect(r.errors[0]?.message).toContain(fragment);
  });

  it('a missing file is an issue naming the file', async () => {
    const r = await loadManifest(join(dir, 'nope.yaml'));
    expect(r.errors).toEqual([{ field: join(dir, 'nope.yaml'), message: expect.stringContaining('does not exist') }]);
  });

  it('loadManifestOrThrow throws a UserError listing every issue', async () => {
    const file = join(dir, 'm.yaml');
    writeFileSync(file, good.replace('riptides-system', 'Riptides').replace('chart: agent', 'chart: Agent'));
    const err = await loadManifestOrThrow(file).catch((e: unknown) => e);
    expect(isUserError(err)).toBe(true);
    expect((err as Error).message).toContain(`the manifest ${file} is invalid`);
    expect((err as Error).message).toContain('workloadCluster.deployments.agent.chart:');
    expect((err as Error).message).toContain('workloadCluster.deployments.agent.namespace:');
  });

  it('the aws example manifest is valid', async () => {
    const m = await loadManifestOrThrow(join(repoRoot, 'manifests', 'examples', 'aws.yaml'));
    expect(Object.keys(m.cpCluster?.deployments ?? {})).toEqual(['controlplane']);
    expect(m.workloadCluster?.deployments.agent?.version).toBe('v0.1.17');
  });
});
