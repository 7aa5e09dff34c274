// The azure janitor against the management-plane STAND-IN and the stand-in's App Configuration:
// a sweep removes the resource groups of closed or expired cycles and lists what it did;
// retention removes old gallery versions and their registry keys, never latest's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appConfigRegistry } from '../../activities/providers/azure/appconfig-registry';
import { azureClients, type AzureClients } from '../../activities/providers/azure/config';
import { retention, sweep } from '../../activities/providers/azure/janitor';
import { azureJanitorCommands } from '../../activities/providers/azure/janitor-commands';
import { azureProviderOptions } from '../../activities/providers/azure/options';
import { plugin } from '../../activities/providers/azure/plugin';
import { SUBSCRIPTION, standinCredential, startRehearsal, type Rehearsal } from './rehearsal';

let r: Rehearsal;
let clients: AzureClients;
const DAY = 86_400_000;
const group = (name: string) => `/subscriptions/${SUBSCRIPTION}/resourceGroups/${name}`;
const versionId = (v: string) => `/subscriptions/${SUBSCRIPTION}/resourceGroups/rcdebug/providers/Microsoft.Compute/galleries/rcdebug_images/images/rcdebug-kcsan/versions/${v}`;

beforeAll(async () => {
  r = await startRehearsal();
  clients = azureClients(azureProviderOptions({ stateDir: r.stateDir }), { credential: standinCredential(), pollMs: 10 });
  const tags = (cycle: string, ageMs: number) => ({ 'rcdebug-managed': 'true', 'rcdebug-cycle': cycle, 'rcdebug-created': new Date(Date.now() - ageMs).toISOString() });
  r.arm.put(group('rcdebug-old'), { location: 'westeurope', tags: tags('c-old', 2 * DAY) });
  r.arm.put(group('rcdebug-run'), { location: 'westeurope', tags: tags('c-run', 60_000) });
  r.arm.put(group('rcdebug-done'), { location: 'westeurope', tags: tags('c-done', 60_000) });
  r.arm.put(group('someone-elses'), { location: 'westeurope', tags: { owner: 'not rcdebug' } });
}, 120_000);
afterAll(async () => {
  await r?.close();
});

const exists = (id: string) => r.arm.resources.has(id.toLowerCase());
const isClosed = async (cycle: string) => ({ 'c-old': undefined, 'c-run': false, 'c-done': true })[cycle];

describe('azure janitor', () => {
  it('the plugin registers the sweep activity and its commands (sweep, schedule, retention)', async () => {
    expect(Object.keys((await plugin.extraActivities!()) as object)).toEqual(['janitorSweep']);
    expect(azureJanitorCommands.map((c) => c.path.join(' '))).toEqual(['sweep', 'schedule create', 'schedule delete', 'retention']);
  });

  it('a dry run lists the groups of expired and closed cycles and removes nothing', async () => {
    const actions = await sweep(clients, { ttlMs: DAY, dryRun: true, isClosed });
    expect(actions.map((a) => [a.id, a.cycle, a.outcome])).toEqual([
      ['rcdebug-done', 'c-done', 'would-remove'],
      ['rcdebug-old', 'c-old', 'would-remove'],
    ]);
    expect(actions.find((a) => a.id === 'rcdebug-old')?.reason).toMatch(/older than the TTL/);
    expect(exists(group('rcdebug-old'))).toBe(true);
  });

  it('a sweep removes them (terraform destroy first), keeps the running cycle and what is not rcdebug\'s', async () => {
    const destroyed: string[] = [];
    const actions = await sweep(clients, { ttlMs: DAY, isClosed, destroyWorkspace: async (c) => (destroyed.push(c), []) });
    expect(actions.map((a) => `${a.id}:${a.outcome}`)).toEqual(['rcdebug-done:removed', 'rcdebug-old:removed']);
    expect(destroyed.sort()).toEqual(['c-done', 'c-old']);
    expect(exists(group('rcdebug-old'))).toBe(false);
    expect(exists(group('rcdebug-done'))).toBe(false);
    expect(exists(group('rcdebug-run'))).toBe(true);
    expect(exists(group('someone-elses'))).toBe(true);
    expect(await sweep(clients, { ttlMs: DAY, isClosed })).toEqual([]);
  });

  it('retention keeps the last N records and latest\'s, removing older gallery versions and registry keys', async () => {
    const reg = appConfigRegistry(clients.appConfig!);
    const versions = ['10400.1.1', '10400.2.2', '10400.3.3'];
    for (const [i, v] of versions.entries()) {
      r.arm.put(versionId(v), { location: 'westeurope', tags: { 'rcdebug-digest': `${i}`.repeat(40) } });
      await reg.publish({ cloud: 'azure', flavor: 'kcsan', kernelRelease: '6.8.0-rcdebug-kcsan', inputDigest: `${i}`.repeat(40), imageId: versionId(v), configDigest: 'sha256:c', createdAt: new Date(Date.UTC(2026, 10, 1 + i)).toISOString(), rc: `v1.4.0-rc${i + 1}` });
    }
    // latest rolled back to the first: it stays whatever its age.
    await reg.rollback('azure', 'kcsan', '0'.repeat(40));
    const actions = await retention(clients, azureProviderOptions({}), { keep: 1, flavors: ['kcsan'] });
    expect(actions.map((a) => `${a.kind} ${a.id} ${a.outcome}`)).toEqual([
      'gallery version rcdebug-kcsan/10400.2.2 removed',
      `registry record kcsan/6.8.0-rcdebug-kcsan/${'1'.repeat(40)} removed`,
    ]);
    expect(exists(versionId('10400.2.2'))).toBe(false);
    expect(exists(versionId('10400.1.1'))).toBe(true);
    expect((await reg.history('azure', 'kcsan')).map((x) => x.inputDigest)).toEqual(['0'.repeat(40), '2'.repeat(40)]);
  });
});
