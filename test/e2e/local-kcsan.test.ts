import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { qemuProcessesWith, safeId } from '../../activities/providers/local/vm-state';
import { localE2e, runLocalCycle } from '../support/local-e2e';

// KCSAN on a real kernel and real SMP guests: a local cycle of the kcsan flavor over two
// nodes of two vCPUs each. The data race needs both CPUs; the guest's own count is what the
// cluster reports. The kcsan kernel is cached like the kasan one, so only a cold run builds it.

const e2e = localE2e();

describe('local cloud, kcsan flavor, SMP guests', () => {
  it('reports the data race of kbug bug=race and the sleep in atomic context of bug=atomic-sleep, each on its node', async () => {
    const started = Date.now();
    const r = await runLocalCycle(e2e, 'e2e-local-kcsan', {
      rc: 'v0.1.0-rc1',
      flavors: ['kcsan'],
      manifest: 'manifests/local-kcsan.yaml',
      soak: { durationSeconds: 60, checkIntervalSeconds: 20, scanIntervalSeconds: 60 },
    });
    console.log(`kcsan cycle: ${((Date.now() - started) / 1000).toFixed(0)} s; steps: ${r.steps.map((s) => `${s.name} ${((s.durationMs ?? 0) / 1000).toFixed(0)}s`).join(', ')}`);
    expect(r.error).toBeUndefined();
    // What the guests brought up, from their consoles, not what qemu was asked for.
    const cluster = r.outputs['cluster-provision'];
    expect(cluster?.details).toMatchObject({ cpus: '2', cpusAsked: '2' });
    expect(cluster?.nodes.map((n) => n.details?.cpus)).toEqual(['2', '2']);
    const findings = r.harvest?.findings ?? [];
    console.log(`findings: ${findings.map((f) => `${f.title} @ ${f.nodes.join(',')}`).join(' | ')}`);
    if (!findings.some((f) => f.title.startsWith('KCSAN'))) {
      const race = cluster?.nodes.find((n) => n.name === 'node-race');
      const text = race ? readFileSync(fileURLToPath(race.console), 'utf8') : '';
      console.log(`node-race console, KCSAN and kbug lines:\n${text.split('\n').filter((l) => /KCSAN|kbug|CPU/.test(l)).slice(-40).join('\n')}`);
    }
    const nodesOf = (title: RegExp) => findings.filter((f) => title.test(f.title)).map((f) => f.nodes);
    // The findings engine keeps the module tag of each frame: `kbug_race_dec [kbug]`.
    expect(nodesOf(/^KCSAN: data-race in kbug_race_dec( \[kbug\])? \/ kbug_race_inc( \[kbug\])?$/)).toEqual([['node-race']]);
    expect(nodesOf(/^BUG: sleeping function called from invalid context in kbug_atomic_sleep$/)).toEqual([['node-atomic']]);
    expect(qemuProcessesWith(safeId(r.cycleId))).toEqual([]);
  }, 3_600_000);
});
