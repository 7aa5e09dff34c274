import { describe, expect, it } from 'vitest';
import { clusterPlan, planFromSpec } from '../../activities/providers/local/node-plan';
import { workloadCommand } from '../../activities/providers/local/deploy';
import { isUserError, type UserError } from '../../src/domain/errors';
import type { LocalSpec } from '../../src/domain/manifest/types';

const kbug = { name: 'kbug', source: 'kernel/examples/kbug', version: 'test' };

describe('node plan', () => {
  it('the demo manifest: three nodes, each with its bug, the network and the trigger', async () => {
    const plan = await clusterPlan({ manifest: 'manifests/local-demo.yaml', module: kbug });
    expect(plan.nodes.map((n) => [n.name, n.modules.map((m) => [m.name, ...m.params].join(' '))])).toEqual([
      ['node-uaf', ['kbug bug=uaf,leak']],
      ['node-deadlock', ['kbug bug=deadlock']],
      ['node-clean', ['kbug bug=none']],
    ]);
    expect(plan.memoryMiB).toBe(512);
    expect(plan.nodes.map(workloadCommand)).toEqual(Array(3).fill('workload start network=1 trigger=/proc/kbug interval=10'));
  });

  it('without a local section: two nodes loading the module under test', () => {
    const plan = planFromSpec(undefined, 'mymod');
    expect(plan.nodes.map((n) => n.name)).toEqual(['node-1', 'node-2']);
    expect(plan.nodes[0]?.modules).toEqual([{ name: 'mymod', params: [] }]);
    expect(plan.memoryMiB).toBe(1024);
    expect(workloadCommand(plan.nodes[0]!)).toBe('workload start network=1');
  });

  it('parameters become key=value words; booleans Y/N', () => {
    const plan = planFromSpec({ nodes: [{ name: 'a', modules: [{ name: 'm', params: { bug: 'uaf', n: 3, on: true, off: false } }] }] }, 'm');
    expect(plan.nodes[0]?.modules[0]?.params).toEqual(['bug=uaf', 'n=3', 'on=Y', 'off=N']);
  });

  it.each<{ name: string; spec: LocalSpec; field: string }>([
    {
      name: 'two nodes with one name',
      spec: { nodes: [{ name: 'a', modules: [] }, { name: 'a', modules: [] }] },
      field: 'local.nodes[1].name',
    },
    {
      name: 'a parameter value with a blank',
      spec: { nodes: [{ name: 'a', modules: [{ name: 'kbug', params: { bug: 'uaf leak' } }] }] },
      field: 'local.nodes[0].modules[0].params.bug',
    },
    {
      name: 'an empty parameter value',
      spec: { nodes: [{ name: 'a', modules: [{ name: 'kbug', params: { bug: '' } }] }] },
      field: 'local.nodes[0].modules[0].params.bug',
    },
  ])('$name is a UserError naming $field', ({ spec, field }) => {
    let err: unknown;
    try {
      planFromSpec(spec, 'kbug');
    } catch (e) {
      err = e;
    }
    expect(isUserError(err)).toBe(true);
    expect((err as UserError).field).toBe(field);
    expect((err as UserError).message).toContain(field);
  });

  it('a manifest that does not exist is a UserError', async () => {
    const err = await clusterPlan({ manifest: '/nonexistent/m.yaml', module: kbug }).catch((e: unknown) => e);
    expect(isUserError(err)).toBe(true);
  });
});
