// The azure cloud's SDK wiring against the management-plane STAND-IN (documented shapes:
// nextLink pages, Azure-AsyncOperation polling, 429 with Retry-After, 5xx, ARM errors) and
// against Azurite (real Blob Storage emulator) behind a fault-injecting proxy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobArtifactStore, blobText } from '../../activities/providers/azure/blob-artifacts';
import { azureClients } from '../../activities/providers/azure/config';
import { getVersion, requireImageDefinition } from '../../activities/providers/azure/gallery';
import { scaleSetVms } from '../../activities/providers/azure/nodes';
import { azureProviderOptions } from '../../activities/providers/azure/options';
import { runShell, serialLog } from '../../activities/providers/azure/vm-ops';
import { InfraError, UserError } from '../../src/domain/errors';
import { internalError, throttle } from '../fixtures/azure-standins/arm-standin.mjs';
import { SUBSCRIPTION, standinCredential, startRehearsal, type Rehearsal } from './rehearsal';

let r: Rehearsal;
const rg = `/subscriptions/${SUBSCRIPTION}/resourceGroups/standin-test`;
const vmss = `${rg}/providers/Microsoft.Compute/virtualMachineScaleSets/pool`;

beforeAll(async () => {
  r = await startRehearsal();
  r.arm.put(rg, { location: 'westeurope' });
  r.arm.put(vmss, { location: 'westeurope', sku: { name: 'Standard_D4s_v5', capacity: 5 } });
}, 120_000);
afterAll(async () => {
  await r?.close();
});

const clients = (token = 'standin-token', maxRetries = 2) =>
  azureClients(azureProviderOptions({ storageConnectionString: r.env.RCDEBUG_AZURE_STORAGE_CONNECTION_STRING, stateDir: r.stateDir }), { credential: standinCredential(token), pollMs: 10, maxRetries });
const node = (instanceId: string) => ({ resourceGroup: 'standin-test', vmss: 'pool', instanceId });
const callsOf = (re: RegExp) => r.arm.calls.filter((c: string) => re.test(c)).length;

describe('management plane through the SDK, against the stand-in', () => {
  it('follows nextLink through every page of a scale set\'s VMs', async () => {
    const before = callsOf(/^GET .*\/pool\/virtualMachines$/);
    const vms = await scaleSetVms(clients(), 'standin-test', 'pool');
    expect(vms.map((v) => v.instanceId)).toEqual(['0', '1', '2', '3', '4']);
    expect(vms[0]?.osProfile?.computerName).toBe('pool000000');
    // Two per page: three requests.
    expect(callsOf(/^GET .*\/pool\/virtualMachines$/) - before).toBe(3);
  });

  it('Run Command is a long-running operation polled through Azure-AsyncOperation; its stdout comes back', async () => {
    r.arm.setKmemleak(`${vmss}/virtualMachines/1`, 'unreferenced object 0xffff8880 (size 64):');
    const polls = callsOf(/^GET \/rcdebug-standin\/operations\//);
    const out = await runShell(clients(), node('1'), ['cat /sys/kernel/debug/kmemleak']);
    expect(out).toEqual({ ok: true, output: 'unreferenced object 0xffff8880 (size 64):' });
    expect(callsOf(/^GET \/rcdebug-standin\/operations\//) - polls).toBeGreaterThanOrEqual(2);
  });

  it('a 429 with Retry-After is waited out and retried by the SDK', async () => {
    r.arm.inject(throttle(1), 1, (op: string) => op.startsWith('GET') && op.includes('/pool/virtualMachines'));
    const t0 = Date.now();
    expect(await scaleSetVms(clients(), 'standin-test', 'pool')).toHaveLength(5);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
  });

  it('a 5xx is retried; when it persists it is an InfraError, never a finding', async () => {
    r.arm.inject(internalError, 1, (op: string) => op.endsWith('/pool/virtualMachines'));
    expect(await scaleSetVms(clients(), 'standin-test', 'pool')).toHaveLength(5);
    r.arm.inject(internalError, 3, (op: string) => op.endsWith('/pool/virtualMachines'));
    await expect(scaleSetVms(clients(), 'standin-test', 'pool')).rejects.toThrow(InfraError);
  });

  it('an expired token is a UserError saying to refresh the credentials', async () => {
    const err = await scaleSetVms(clients('expired'), 'standin-test', 'pool').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/ExpiredAuthenticationToken.*refresh/);
  });

  it('a gallery or image definition that does not exist is a UserError naming RCDEBUG_AZURE_GALLERY', async () => {
    const opts = azureProviderOptions({ gallery: 'no_such_gallery' });
    await expect(requireImageDefinition(clients(), opts, 'kasan')).rejects.toThrow(expect.objectContaining({ message: expect.stringContaining('RCDEBUG_AZURE_GALLERY') }));
    await expect(requireImageDefinition(clients(), opts, 'kasan')).rejects.toBeInstanceOf(UserError);
    expect(await getVersion(clients(), azureProviderOptions({}), 'kasan', '1.2.3')).toBeUndefined();
  });

  it('boot diagnostics hands a SAS URL of the serial log, read from Azurite', async () => {
    r.arm.setSerial(`${vmss}/virtualMachines/2`, '[    0.000000] Linux version 6.8.0-rcdebug\n');
    expect((await serialLog(clients(), node('2')))?.toString()).toBe('[    0.000000] Linux version 6.8.0-rcdebug\n');
  });
});

describe('Blob Storage on Azurite through a fault proxy', () => {
  it('writes and reads a large log, retrying 503s from the proxy', async () => {
    const c = clients();
    const store = blobArtifactStore(c.blob!, 'rcdebug', `${r.stateDir}/artifacts`);
    const big = `${'[  1.000000] a kernel log line that repeats\n'.repeat(200_000)}end\n`;
    r.blobProxy.inject({ status: 503, headers: { 'content-type': 'application/xml' }, body: '<?xml version="1.0" encoding="utf-8"?><Error><Code>ServerBusy</Code><Message>busy</Message></Error>' }, 2, (op) => op.startsWith('PUT'));
    const ref = await store.putText('cycle-x/log-harvest/serial/big.log', big);
    expect(ref).toBe('azblob://rcdebug/artifacts/cycle-x/log-harvest/serial/big.log');
    expect(r.blobProxy.calls.filter((op) => op.startsWith('PUT')).length).toBeGreaterThanOrEqual(3);
    expect(await store.getText(ref)).toBe(big);
  });

  it('persistent 5xx ends as an InfraError', async () => {
    const c = clients('standin-token', 1);
    // The last case of the file: the faults it leaves behind meet no other case.
    r.blobProxy.inject({ status: 500, body: '' }, 10, (op) => op.startsWith('GET') || op.startsWith('HEAD'));
    await expect(blobText(c.blob!, 'rcdebug', 'kernels/none/build.json')).rejects.toBeInstanceOf(InfraError);
  });
});
