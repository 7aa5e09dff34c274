import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { localLogHarvest } from '../../activities/providers/local/log-harvest';
import { consolePath } from '../../activities/providers/local/cluster-provision';
import { localArtifactStore } from '../../activities/artifacts/store';
import type { StepContext, StepIO } from '../../src/domain/contract';
import { localRegistry } from '../../activities/providers/local/registry';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const io: StepIO = { progress() {}, signal: new AbortController().signal, attempt: 1 };

it('turns the consoles of the nodes into findings on the right node and three reports, without VMs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rcdebug-harvest-'));
  dirs.push(dir);
  const deps = { artifacts: localArtifactStore(join(dir, 'artifacts')), registry: localRegistry(join(dir, 'registry')), cacheDir: join(dir, 'cache'), stateDir: join(dir, 'state') };
  const ctx: StepContext = {
    cycleId: 'rc-test.local-kasan', rc: 'v1.0.0-rc1', cloud: 'local', flavor: 'kasan',
    module: { name: 'kbug', source: 'kernel/examples/kbug', version: '0.1.0' }, manifest: 'manifests/local-demo.yaml',
    soak: { durationSeconds: 0, checkIntervalSeconds: 1, scanIntervalSeconds: 0 },
  };
  // Real console logs of our kasan kernel stand in for the VMs' consoles.
  const put = (node: string, fixture: string) => {
    const dest = consolePath(deps, ctx.cycleId, node);
    mkdirSync(dirname(dest), { recursive: true });
    copyFileSync(join('test/fixtures/findings', fixture), dest);
  };
  put('node-uaf', 'kbug-kasan-uaf');
  put('node-deadlock', 'kbug-deadlock');
  put('node-clean', 'clean-boot');
  const out = await localLogHarvest({ ctx }, io, deps);
  expect(out.nodes).toEqual({ 'node-uaf': 'findings', 'node-deadlock': 'findings', 'node-clean': 'clean' });
  expect(out.verdict).toBe('findings');
  const uaf = out.findings.find((f) => f.title.startsWith('KASAN: use-after-free Read in kbug_'));
  expect(uaf?.nodes).toEqual(['node-uaf']);
  expect(out.findings.find((f) => f.title.startsWith('possible deadlock in kbug_'))?.nodes).toEqual(['node-deadlock']);
  const markdown = readFileSync(fileURLToPath(out.reports.markdown), 'utf8');
  expect(markdown).toMatch(/KASAN: use-after-free Read in kbug_/);
  // No kernel build in the input: no vmlinux to resolve frames with, and the report says so.
  expect(markdown).toContain('Source lines: none, frames are raw: log-harvest got no kernel build to take vmlinux from.');
  expect(readFileSync(fileURLToPath(out.reports.junit), 'utf8')).toMatch(/<testsuites/);
});
