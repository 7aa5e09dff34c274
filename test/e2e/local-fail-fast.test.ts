import { describe, expect, it } from 'vitest';
import { qemuProcessesWith, safeId } from '../../activities/providers/local/vm-state';
import { localE2e, runLocalCycle } from '../support/local-e2e';

// onKernelError "panic" on the real kasan kernel: the safety nets are on, so node-uaf panics
// at its first KASAN report; that panic is a finding with its report, and the other nodes soak
// on to the end of the soak.

const e2e = localE2e();

describe('local cloud, onKernelError panic', () => {
  it('node-uaf dies of its first KASAN report, the finding is there, node-clean soaks to the end', async () => {
    const durationSeconds = 90;
    const r = await runLocalCycle(e2e, 'e2e-local-fail-fast', {
      rc: 'v0.1.0-rc1',
      flavors: ['kasan'],
      manifest: 'manifests/local-demo.yaml',
      onKernelError: 'panic',
      soak: { durationSeconds, checkIntervalSeconds: 15, scanIntervalSeconds: durationSeconds },
    });
    expect(r.error).toBeUndefined();
    const append = String(r.outputs['cluster-provision']?.details?.append);
    expect(append).toMatch(/kasan\.fault=report .*kasan\.fault=panic/);
    const soak = r.outputs.soak;
    console.log(`soak: ${JSON.stringify(soak?.deadNodes)}; ${soak?.checks} checks, ${soak?.elapsedSeconds} s`);
    // Which node died of what; the soak was not cut short by it.
    expect(Object.keys(soak?.deadNodes ?? {})).toEqual(['node-uaf']);
    expect(soak?.deadNodes?.['node-uaf']).toMatch(/Kernel panic - not syncing: .*kasan/i);
    expect(soak?.endedEarly).toBe(false);
    expect(soak?.elapsedSeconds).toBeGreaterThanOrEqual(durationSeconds);
    expect(soak?.lastHealth.find((n) => n.name === 'node-clean')).toMatchObject({ healthy: true, panicked: false });
    const findings = r.harvest?.findings ?? [];
    console.log(`findings: ${findings.map((f) => `${f.title} @ ${f.nodes.join(',')}`).join(' | ')}`);
    expect(findings.filter((f) => /^KASAN: use-after-free Read in kbug_uaf_read$/.test(f.title)).map((f) => [f.nodes, f.count])).toEqual([[['node-uaf'], 1]]);
    expect(findings.filter((f) => f.nodes.includes('node-clean'))).toEqual([]);
    expect(qemuProcessesWith(safeId(r.cycleId))).toEqual([]);
  }, 3_600_000);
});
