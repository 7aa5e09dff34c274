import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { localArtifactStore } from '../../activities/artifacts/store';
import { harvestLogs } from '../../activities/steps/log-harvest';
import type { StepContext, StepIO } from '../../src/domain/contract';

// The log-harvest every cloud shares, fed with logs a cloud read through its API (the aws
// kind of console source): stored, parsed, reported, judged per node.

const io: StepIO = { progress() {}, signal: new AbortController().signal, attempt: 1 };
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rcdebug-harvest-step-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const fixture = (name: string) => readFileSync(join('test/fixtures/findings', name), 'utf8');

it('stores fetched logs, turns them into findings on the right node and writes the three reports', async () => {
  const ctx: StepContext = {
    cycleId: 'harvest-step', rc: 'v1.0.0-rc1', cloud: 'aws', flavor: 'kasan',
    module: { name: 'kbug', source: 'kernel/examples/kbug', version: '0.1.0' }, manifest: 'manifests/local-demo.yaml',
    soak: { durationSeconds: 0, checkIntervalSeconds: 1, scanIntervalSeconds: 0 },
  };
  const artifacts = localArtifactStore(join(dir, 'artifacts'));
  const out = await harvestLogs({ ctx }, io, {
    sources: [
      { node: 'n1', key: 'cloudwatch/i-1-kernel.log', text: fixture('kbug-kasan-uaf') },
      { node: 'n2', key: 'console/i-2.log', text: fixture('clean-boot') },
    ],
    nodes: ['n1', 'n2', 'n3'],
    artifacts,
    base: 'harvest-step',
    workDir: join(dir, 'work'),
    commands: ['echo reproduce'],
  });
  expect(out.nodes).toEqual({ n1: 'findings', n2: 'clean', n3: 'clean' });
  expect(out.verdict).toBe('findings');
  const uaf = out.findings.find((f) => f.title.startsWith('KASAN: use-after-free Read in kbug_'));
  expect(uaf?.nodes).toEqual(['n1']);
  expect(readFileSync(join(dir, 'work', 'console', 'i-2.log'), 'utf8')).toBe(fixture('clean-boot'));
  expect(readFileSync(join(dir, 'artifacts', 'harvest-step', 'log-harvest', 'cloudwatch', 'i-1-kernel.log'), 'utf8')).toBe(fixture('kbug-kasan-uaf'));
  expect(fileURLToPath(out.reports.json)).toBe(join(dir, 'artifacts', 'harvest-step', 'reports', 'findings.json'));
  const md = readFileSync(fileURLToPath(out.reports.markdown), 'utf8');
  expect(md).toContain('echo reproduce');
  expect(md).toContain('harvest-step/log-harvest/cloudwatch/i-1-kernel.log');
});
