import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withCloudRules } from '../../activities/cycle-manifest';
import type { CloudPlugin } from '../../activities/plugin';
import { loadPlugins } from '../../activities/plugins';
import { validateManifest } from '../../src/domain/manifest/validate';

let dir: string;
let plugins: CloudPlugin[];
beforeAll(async () => {
  plugins = await loadPlugins();
  dir = mkdtempSync(join(tmpdir(), 'rcdebug-manifest-'));
  writeFileSync(join(dir, 'agent-values.yaml'), 'a: 1\n');
  mkdirSync(join(dir, 'values'));
  writeFileSync(join(dir, 'values', 'cp.yaml'), 'b: 2\n');
  writeFileSync(join(dir, '..', `outside-${process.pid}.yaml`), 'c: 3\n');
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(join(dir, '..', `outside-${process.pid}.yaml`), { force: true });
});

const agent = { chart: 'agent', version: 'v0.1.17', registry: 'ghcr.io/riptideslabs/helm', namespace: 'riptides-system', valuesFile: 'agent-values.yaml' };
const workload = (deployments: Record<string, unknown> = { agent }, extra: Record<string, unknown> = {}) => ({
  workloadCluster: { clusterName: 'riptides-debug-apps', clusterRegion: 'eu-west-1', deployments, ...extra },
});
const withAgent = (patch: Record<string, unknown>) => workload({ agent: { ...agent, ...patch } });
const node = (name: string, modules: unknown[] = [{ name: 'kbug' }]) => ({ name, modules });

interface Case {
  name: string;
  raw: unknown;
  /** Expected error fields with a fragment of their message; empty = valid. */
  errors: [string, string][];
  warnings?: [string, string][];
}

const cases: Case[] = [
  { name: 'valid: workload cluster only', raw: workload(), errors: [] },
  {
    name: 'valid: both clusters, values in a subfolder',
    raw: {
      ...workload(),
      cpCluster: { clusterName: 'cp', clusterRegion: 'us-gov-west-1', deployments: { controlplane: { ...agent, chart: 'controlplane', version: '1.2.3-rc.1+b5', valuesFile: 'values/cp.yaml' } } },
    },
    errors: [],
  },
  { name: 'valid: no values file', raw: withAgent({ valuesFile: undefined }), errors: [] },
  { name: 'valid: local nodes', raw: { local: { memoryMiB: 512, nodes: [node('node-1', [{ name: 'kbug', params: { bug: 'uaf', n: 3, on: true } }]), node('node-2')] } }, errors: [] },
  { name: 'invalid: empty document', raw: null, errors: [['(root)', 'empty']] },
  { name: 'invalid: nothing to deploy', raw: {}, errors: [['(root)', 'nothing to deploy']] },
  { name: 'invalid: not a mapping', raw: ['a'], errors: [['(root)', 'expected object']] },
  { name: 'invalid: unknown top-level key', raw: { ...workload(), cluster: {} }, errors: [['cluster', 'unknown key']] },
  { name: 'invalid: unknown deployment key (typo)', raw: withAgent({ namepsace: 'x' }), errors: [['workloadCluster.deployments.agent.namepsace', 'unknown key']] },
  { name: 'invalid: missing chart', raw: withAgent({ chart: undefined }), errors: [['workloadCluster.deployments.agent.chart', 'required']] },
  { name: 'invalid: version not semver', raw: withAgent({ version: 'latest' }), errors: [['workloadCluster.deployments.agent.version', 'SemVer']] },
  { name: 'invalid: version a YAML number', raw: withAgent({ version: 1.2 }), errors: [['workloadCluster.deployments.agent.version', 'expected string']] },
  { name: 'invalid: namespace with capitals', raw: withAgent({ namespace: 'Riptides' }), errors: [['workloadCluster.deployments.agent.namespace', 'DNS-1123']] },
  { name: 'invalid: namespace too long', raw: withAgent({ namespace: 'n'.repeat(64) }), errors: [['workloadCluster.deployments.agent.namespace', 'at most 63']] },
  { name: 'valid: namespace of 63', raw: withAgent({ namespace: 'n'.repeat(63) }), errors: [] },
  { name: 'invalid: release name too long for Helm', raw: workload({ ['r'.repeat(54)]: agent }), errors: [[`workloadCluster.deployments.${'r'.repeat(54)}`, 'at most 53']] },
  { name: 'valid: release name of 53', raw: workload({ ['r'.repeat(53)]: agent }), errors: [] },
  { name: 'invalid: release name with underscore', raw: workload({ my_agent: agent }), errors: [['workloadCluster.deployments.my_agent', 'release name']] },
  { name: 'invalid: chart with capitals', raw: withAgent({ chart: 'Agent' }), errors: [['workloadCluster.deployments.agent.chart', 'chart name']] },
  { name: 'invalid: registry with scheme', raw: withAgent({ registry: 'oci://ghcr.io/x' }), errors: [['workloadCluster.deployments.agent.registry', 'without scheme']] },
  { name: 'valid: registry with port', raw: withAgent({ registry: 'localhost:5000/charts' }), errors: [] },
  { name: 'invalid: values file outside the folder', raw: withAgent({ valuesFile: `../outside-${process.pid}.yaml` }), errors: [['workloadCluster.deployments.agent.valuesFile', 'outside the manifest']] },
  { name: 'invalid: values file absolute', raw: withAgent({ valuesFile: '/etc/passwd' }), errors: [['workloadCluster.deployments.agent.valuesFile', 'outside the manifest']] },
  { name: 'invalid: values file missing', raw: withAgent({ valuesFile: 'nope.yaml' }), errors: [['workloadCluster.deployments.agent.valuesFile', 'does not exist']] },
  { name: 'invalid: values file is a folder', raw: withAgent({ valuesFile: 'values' }), errors: [['workloadCluster.deployments.agent.valuesFile', 'not a file']] },
  { name: 'invalid: EKS cluster name with a dot', raw: { workloadCluster: { ...workload().workloadCluster, clusterName: 'a.b' } }, errors: [['workloadCluster.clusterName', 'cluster name']] },
  { name: 'invalid: cluster name too long', raw: { workloadCluster: { ...workload().workloadCluster, clusterName: 'c'.repeat(101) } }, errors: [['workloadCluster.clusterName', 'at most 100']] },
  { name: 'invalid: region', raw: { workloadCluster: { ...workload().workloadCluster, clusterRegion: 'EU West' } }, errors: [['workloadCluster.clusterRegion', 'region']] },
  { name: 'warning: no deployments', raw: workload({}), errors: [], warnings: [['workloadCluster.deployments', 'nothing is installed']] },
  {
    name: 'warning: cp and workload are one cluster',
    raw: { ...workload(), cpCluster: { clusterName: 'riptides-debug-apps', clusterRegion: 'eu-west-1', deployments: { cp: agent } } },
    errors: [],
    warnings: [['workloadCluster.clusterName', 'same cluster']],
  },
  {
    name: 'invalid: one release twice in one cluster and namespace',
    raw: { ...workload(), cpCluster: { clusterName: 'riptides-debug-apps', clusterRegion: 'eu-west-1', deployments: { agent } } },
    errors: [['workloadCluster.deployments.agent', 'same release']],
    warnings: [['workloadCluster.clusterName', 'same cluster']],
  },
  { name: 'invalid: local node names not unique', raw: { local: { nodes: [node('n1'), node('n1')] } }, errors: [['local.nodes.1.name', 'unique']] },
  { name: 'invalid: local node name not DNS-1123', raw: { local: { nodes: [node('Node_1')] } }, errors: [['local.nodes.0.name', 'DNS-1123']] },
  { name: 'invalid: local no nodes', raw: { local: { nodes: [] } }, errors: [['local.nodes', 'at least one node']] },
  { name: 'invalid: local memory too small', raw: { local: { memoryMiB: 64, nodes: [node('n1')] } }, errors: [['local.memoryMiB', 'at least 256']] },
  { name: 'invalid: local module twice on a node', raw: { local: { nodes: [node('n1', [{ name: 'kbug' }, { name: 'kbug' }])] } }, errors: [['local.nodes.0.modules.1.name', 'twice']] },
  { name: 'invalid: local module param name', raw: { local: { nodes: [node('n1', [{ name: 'kbug', params: { 'bad-name': 1 } }])] } }, errors: [['local.nodes.0.modules.0.params.bad-name', 'C identifier']] },
  { name: 'invalid: local module param value with a blank', raw: { local: { nodes: [node('n1', [{ name: 'kbug', params: { bug: 'use after free' } }])] } }, errors: [['local.nodes.0.modules.0.params.bug', 'no blanks']] },
  { name: 'invalid: local module param value empty', raw: { local: { nodes: [node('n1', [{ name: 'kbug', params: { bug: '' } }])] } }, errors: [['local.nodes.0.modules.0.params.bug', 'non-empty']] },
  { name: 'invalid: local trigger with a blank', raw: { local: { nodes: [{ ...node('n1'), workload: { moduleTrigger: '/proc/k bug' } }] } }, errors: [['local.nodes.0.workload.moduleTrigger', 'without blanks']] },
  // No cloud named: the clouds reading workloadCluster are alternatives, and Azure knows this region.
  { name: 'valid: a region one of the clouds knows', raw: { workloadCluster: { ...workload().workloadCluster, clusterRegion: 'westeurope' } }, errors: [] },
  { name: 'invalid: local trigger not absolute', raw: { local: { nodes: [{ ...node('n1'), workload: { moduleTrigger: 'proc/kbug' } }] } }, errors: [['local.nodes.0.workload.moduleTrigger', 'absolute path']] },
  {
    name: 'warning: interval without work',
    raw: { local: { nodes: [{ ...node('n1'), workload: { intervalSeconds: 5 } }] } },
    errors: [],
    warnings: [['local.nodes.0.workload.intervalSeconds', 'does nothing']],
  },
];

describe('validateManifest with the rules of the clouds whose section it has', () => {
  it.each(cases)('$name', ({ raw, errors, warnings = [] }) => {
    const r = withCloudRules(validateManifest(raw, { dir }), { dir }, plugins, false);
    expect(r.errors.map((e) => e.field)).toEqual(errors.map(([f]) => f));
    errors.forEach(([, fragment], i) => expect(r.errors[i]?.message).toContain(fragment));
    expect(r.warnings.map((w) => w.field)).toEqual(warnings.map(([f]) => f));
    warnings.forEach(([, fragment], i) => expect(r.warnings[i]?.message).toContain(fragment));
    if (errors.length === 0) expect(r.manifest).toBeDefined();
    else expect(r.manifest).toBeUndefined();
  });
});

describe('a manifest for the clouds of a cycle', () => {
  const local = { local: { nodes: [node('n1')] } };
  it.each([
    { name: 'a local cycle needs the local section', raw: workload(), clouds: ['local'], errors: [['local', 'the cycle runs on local']] },
    { name: 'an aws cycle needs a workload cluster', raw: local, clouds: ['aws'], errors: [['workloadCluster', 'the cycle runs on aws']] },
    { name: 'both clouds, both sections', raw: { ...local, ...workload() }, clouds: ['local', 'aws'], errors: [] },
    // The local cloud reads no cluster names: EKS's rules apply only to a cycle on aws.
    { name: 'a cluster name EKS refuses is fine for a local cycle', raw: { ...local, workloadCluster: { ...workload().workloadCluster, clusterName: 'a.b' } }, clouds: ['local'], errors: [] },
    { name: 'an Azure region stops an aws cycle', raw: { workloadCluster: { ...workload().workloadCluster, clusterRegion: 'westeurope' } }, clouds: ['aws'], errors: [['workloadCluster.clusterRegion', 'AWS region']] },
    { name: 'a cluster name EKS refuses stops an aws cycle', raw: { ...local, workloadCluster: { ...workload().workloadCluster, clusterName: 'a.b' } }, clouds: ['aws'], errors: [['workloadCluster.clusterName', 'EKS']] },
  ])('$name', async ({ raw, clouds, errors }) => {
    const r = withCloudRules(validateManifest(raw, { dir }), { dir }, await loadPlugins(clouds), true);
    expect(r.errors.map((e) => e.field)).toEqual(errors.map(([f]) => f));
    errors.forEach(([, fragment], i) => expect(r.errors[i]?.message).toContain(fragment));
  });
});
