import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadManifestOrThrow, type Manifest } from '../../src/domain/manifest';
import { repoRoot } from '../../src/domain/paths';
import { realTool, runTool } from './real-tool';

const chartsDir = join(repoRoot, 'test', 'fixtures', 'charts');
const manifestFile = join(chartsDir, 'manifests', 'aws-demo', 'manifest.yaml');

interface K8sObject {
  kind: string;
  metadata: { name: string; namespace?: string };
  data?: Record<string, string>;
  spec?: { replicas?: number; template?: { spec?: { nodeSelector?: Record<string, string> } } };
}

interface Deployment {
  cluster: string;
  release: string;
  chart: string;
  version: string;
  namespace: string;
  valuesFile: string;
}

/** The manifest's deployments, the way the deploy step reads them. */
function deployments(m: Manifest, file = manifestFile): Deployment[] {
  const out: Deployment[] = [];
  for (const cluster of ['cpCluster', 'workloadCluster'] as const) {
    for (const [release, d] of Object.entries(m[cluster]?.deployments ?? {})) {
      if (!d.valuesFile) throw new Error(`the fixture deployment ${cluster}.${release} has no values file: the tests render with one`);
      out.push({ cluster, release, chart: d.chart, version: d.version, namespace: d.namespace, valuesFile: join(dirname(file), d.valuesFile) });
    }
  }
  return out;
}

function render(d: Deployment, chartDir = join(chartsDir, d.chart)): K8sObject[] {
  const r = runTool(realTool('helm'), ['template', d.release, chartDir, '--namespace', d.namespace, '-f', d.valuesFile]);
  expect(r.status, r.output).toBe(0);
  return parseAllDocuments(r.stdout).map((doc) => doc.toJS() as K8sObject).filter(Boolean);
}

let manifest: Manifest;
let scratch: string;
beforeAll(async () => {
  manifest = await loadManifestOrThrow(manifestFile);
  scratch = mkdtempSync(join(tmpdir(), 'rcdebug-helm-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('fixture charts with the fixture manifest', () => {
  it('the manifest deploys both fixture charts', () => {
    expect(deployments(manifest).map((d) => `${d.cluster}/${d.release}:${d.chart}`).sort()).toEqual(['cpCluster/controlplane:controlplane', 'workloadCluster/agent:agent']);
  });

  it('each chart has the version the manifest asks for', () => {
    for (const d of deployments(manifest)) {
      const chartYaml = readFileSync(join(chartsDir, d.chart, 'Chart.yaml'), 'utf8');
      expect(chartYaml, d.chart).toMatch(new RegExp(`^version: ${d.version.replace(/^v/, '').replaceAll('.', '\\.')}$`, 'm'));
    }
  });

  it('helm lint --strict passes with each deployment values file', () => {
    for (const d of deployments(manifest)) {
      const r = runTool(realTool('helm'), ['lint', '--strict', join(chartsDir, d.chart), '--namespace', d.namespace, '-f', d.valuesFile]);
      expect(r.status, r.output).toBe(0);
      expect(r.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
    }
  });

  it('the agent renders into its namespace with the values file applied', () => {
    const agent = deployments(manifest).find((d) => d.release === 'agent');
    if (!agent) throw new Error('the fixture manifest has no agent deployment');
    const objects = render(agent);
    expect(objects.map((o) => o.kind).sort()).toEqual(['ConfigMap', 'DaemonSet']);
    for (const o of objects) expect(o.metadata.namespace, o.kind).toBe('riptides-system');
    const config = objects.find((o) => o.kind === 'ConfigMap');
    // logLevel and the module parameters come from agent-values.yaml, not the chart defaults.
    expect(config?.data).toMatchObject({ LOG_LEVEL: 'debug', MODULE_LOAD: 'true', MODULE_NAME: 'kbug', MODULE_PARAMS: 'debug=1 leak_every=50' });
    const ds = objects.find((o) => o.kind === 'DaemonSet');
    expect(ds?.spec?.template?.spec?.nodeSelector).toEqual({ 'rcdebug.io/role': 'workload' });
  });

  it('the control plane renders with the replica count of its values file', () => {
    const cp = deployments(manifest).find((d) => d.release === 'controlplane');
    if (!cp) throw new Error('the fixture manifest has no controlplane deployment');
    const objects = render(cp);
    const deployment = objects.find((o) => o.kind === 'Deployment');
    expect(deployment?.metadata.namespace).toBe('debug-cp');
    expect(deployment?.spec?.replicas).toBe(1);
  });

  it('without the values file the chart defaults apply (the values file is what changed them)', () => {
    const r = runTool(realTool('helm'), ['template', 'agent', join(chartsDir, 'agent'), '--namespace', 'x']);
    expect(r.status, r.output).toBe(0);
    expect(r.stdout).toContain('LOG_LEVEL: "info"');
    expect(r.stdout).toContain('namespace: x');
  });
});

describe('the shipped example manifest', () => {
  it('its values files lint and render with the fixture charts into the namespaces it names', async () => {
    const example = join(repoRoot, 'manifests', 'examples', 'aws.yaml');
    const m = await loadManifestOrThrow(example);
    const ds = deployments(m, example);
    expect(ds.length).toBeGreaterThan(0);
    for (const d of ds) {
      const chart = join(chartsDir, d.chart);
      const lint = runTool(realTool('helm'), ['lint', '--strict', chart, '--namespace', d.namespace, '-f', d.valuesFile]);
      expect(lint.status, lint.output).toBe(0);
      for (const o of render(d)) expect(o.metadata.namespace, `${d.release} ${o.kind}`).toBe(d.namespace);
    }
  });
});

describe('a broken chart', () => {
  it('fails helm lint, naming the template', () => {
    const chart = join(scratch, 'agent');
    cpSync(join(chartsDir, 'agent'), chart, { recursive: true });
    const file = join(chart, 'templates', 'configmap.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('{{ .Values.logLevel | quote }}', '{{ .Values.logLevel | quote }'));
    const r = runTool(realTool('helm'), ['lint', chart]);
    expect(r.status).not.toBe(0);
    expect(r.output).toContain('configmap.yaml');
    expect(r.output).toContain('1 chart(s) failed');
  });

  it('fails helm template when a required value is emptied by a values file', () => {
    const values = join(scratch, 'no-module.yaml');
    writeFileSync(values, 'kernelModule:\n  name: ""\n');
    const r = runTool(realTool('helm'), ['template', 'agent', join(chartsDir, 'agent'), '-f', values]);
    expect(r.status).not.toBe(0);
    expect(r.output).toContain('kernelModule.name is required');
  });
});
