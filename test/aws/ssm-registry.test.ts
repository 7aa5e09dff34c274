import { ListTagsForResourceCommand, GetParameterHistoryCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { awsClients, type AwsClients } from '../../activities/providers/aws/config';
import { isInfraError, isUserError } from '../../src/domain/errors';
import { ssmRegistry } from '../../activities/providers/aws/ssm-registry';
import type { VersionRecord } from '../../src/domain/registry/scheme';
import { json500, jsonExpiredToken, jsonThrottle, startFaultProxy, startMoto, type FaultProxy, type Moto } from '../support/moto';

let moto: Moto;
let proxy: FaultProxy;
let clients: AwsClients;

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startFaultProxy(moto.endpoint);
  clients = awsClients({ region: 'eu-west-1', endpoint: proxy.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, maxAttempts: 3 });
});
afterAll(async () => {
  clients?.destroy();
  await proxy?.stop();
  await moto?.stop();
});
beforeEach(async () => {
  await moto.reset();
});

const record = (i: number, patch: Partial<VersionRecord> = {}): VersionRecord => ({
  cloud: 'aws',
  flavor: 'kasan',
  kernelRelease: `6.1.${100 + i}-rcdebug`,
  inputDigest: `d${String(i).padStart(3, '0')}${'a'.repeat(20)}`,
  imageId: `ami-${String(i).padStart(17, '0')}`,
  configDigest: `c${i}`,
  createdAt: `2026-11-${String(1 + i).padStart(2, '0')}T00:00:00.000Z`,
  rc: `v1.4.0-rc${i}`,
  ...patch,
});

describe('SSM registry against moto', () => {
  it('publishes a record, moves latest and the rc pointer, and finds it every way', async () => {
    const reg = ssmRegistry(clients.ssm, { tags: { 'rcdebug:cycle': 'cycle-1' } });
    const r = record(1);
    const out = await reg.publish(r);
    expect(out.latest).toBe('/rcdebug/aws/kasan/latest');
    expect(out.rcPointer).toBe('/rcdebug/rc/v1.4.0-rc1/aws/kasan');
    expect(out.paths).toContain(`/rcdebug/aws/kasan/6.1.101-rcdebug/${r.inputDigest}/image-id`);
    expect(out.paths).toHaveLength(7);
    expect(await reg.findByDigest('aws', 'kasan', r.inputDigest)).toEqual(r);
    expect(await reg.findByDigest('aws', 'kasan', 'nope')).toBeUndefined();
    expect(await reg.findByDigest('aws', 'kcsan', r.inputDigest)).toBeUndefined();
    expect(await reg.latest('aws', 'kasan')).toEqual(r);
    expect(await reg.forRc('v1.4.0-rc1', 'aws', 'kasan')).toEqual(r);
    expect(await reg.forRc('v9', 'aws', 'kasan')).toBeUndefined();
    const tags = await clients.ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: `/rcdebug/aws/kasan/6.1.101-rcdebug/${r.inputDigest}/image-id` }));
    expect(Object.fromEntries((tags.TagList ?? []).map((t) => [t.Key, t.Value]))).toMatchObject({
      'rcdebug:managed': 'true', 'rcdebug:digest': r.inputDigest, 'rcdebug:cycle': 'cycle-1', 'rcdebug:flavor': 'kasan',
    });
  });

  it('a retried publish writes no new parameter versions', async () => {
    const reg = ssmRegistry(clients.ssm);
    await reg.publish(record(1));
    await reg.publish(record(1));
    const h = await clients.ssm.send(new GetParameterHistoryCommand({ Name: '/rcdebug/aws/kasan/latest' }));
    expect(h.Parameters).toHaveLength(1);
  });

  it('pages through more than 10 parameters: history of 12 records, oldest first, labels on latest', async () => {
    const reg = ssmRegistry(clients.ssm);
    const records = Array.from({ length: 12 }, (_, i) => record(i + 1));
    // Publish out of order: history sorts by created-at, not by write order.
    for (const r of [...records].reverse()) await reg.publish(r);
    proxy.calls.length = 0;
    const h = await reg.history('aws', 'kasan');
    expect(h).toEqual(records);
    // 60 record parameters at 10 per page: at least 6 pages were read.
    expect(proxy.calls.filter((c) => c === 'GetParametersByPath').length).toBeGreaterThanOrEqual(6);
    expect(await reg.findByDigest('aws', 'kasan', records[0]!.inputDigest)).toEqual(records[0]);
    const versions = await reg.latestHistory('aws', 'kasan');
    expect(versions).toHaveLength(12);
    expect(versions[0]?.labels).toContain('rc-v1.4.0-rc12');
    expect(versions.at(-1)?.labels).toContain('rc-v1.4.0-rc1');
    expect((await reg.latest('aws', 'kasan'))?.rc).toBe('v1.4.0-rc1');
  });

  it('rolls latest back to an earlier record and refuses an unknown digest', async () => {
    const reg = ssmRegistry(clients.ssm);
    await reg.publish(record(1));
    await reg.publish(record(2));
    await reg.rollback('aws', 'kasan', record(1).inputDigest);
    expect((await reg.latest('aws', 'kasan'))?.inputDigest).toBe(record(1).inputDigest);
    const versions = await reg.latestHistory('aws', 'kasan');
    expect(versions.at(-1)?.labels.some((l) => l.startsWith('rollback-'))).toBe(true);
    const err = await reg.rollback('aws', 'kasan', 'nope').catch((e: unknown) => e);
    expect(isUserError(err)).toBe(true);
    expect((err as Error).message).toContain('no aws/kasan record has input digest nope');
  });

  it('deletes a record with the rc pointers that point at it', async () => {
    const reg = ssmRegistry(clients.ssm);
    await reg.publish(record(1));
    await reg.publish(record(2));
    const deleted = await reg.deleteRecord(record(1));
    expect(deleted).toHaveLength(6);
    expect(deleted).toContain('/rcdebug/rc/v1.4.0-rc1/aws/kasan');
    expect((await reg.history('aws', 'kasan')).map((r) => r.rc)).toEqual(['v1.4.0-rc2']);
    expect(await reg.forRc('v1.4.0-rc2', 'aws', 'kasan')).toEqual(record(2));
  });

  it.each([
    { name: 'kernel release with +', patch: { kernelRelease: '6.1.0-kasan+' }, field: 'kernelRelease' },
    { name: 'rc with a space', patch: { rc: 'v1 rc2' }, field: 'rc' },
    { name: 'digest with a slash', patch: { inputDigest: 'a/b' }, field: 'inputDigest' },
  ])('refuses a name SSM would refuse before any call: $name', async ({ patch, field }) => {
    proxy.calls.length = 0;
    const err = await ssmRegistry(clients.ssm).publish(record(1, patch)).catch((e: unknown) => e);
    expect(isUserError(err)).toBe(true);
    expect((err as { field?: string }).field).toBe(field);
    expect(proxy.calls).toEqual([]);
  });
});

describe('SSM registry under faults (proxy in front of moto)', () => {
  it.each([
    { name: 'two throttles are absorbed by the SDK retry', fault: jsonThrottle, count: 2, outcome: 'ok' },
    { name: 'two 500s are absorbed by the SDK retry', fault: json500, count: 2, outcome: 'ok' },
    { name: 'persistent throttling is an InfraError (the activity retries)', fault: jsonThrottle, count: 3, outcome: 'infra' },
    { name: 'persistent 500 is an InfraError', fault: json500, count: 3, outcome: 'infra' },
    { name: 'an expired token is a UserError, not retried', fault: jsonExpiredToken, count: 1, outcome: 'user' },
  ])('$name', async ({ fault, count, outcome }) => {
    const reg = ssmRegistry(clients.ssm);
    await reg.publish(record(1));
    proxy.calls.length = 0;
    proxy.inject(fault, count, (op) => op === 'GetParametersByPath');
    const result = await reg.history('aws', 'kasan').catch((e: unknown) => e);
    if (outcome === 'ok') {
      expect(result).toEqual([record(1)]);
      expect(proxy.calls.filter((c) => c === 'GetParametersByPath')).toHaveLength(count + 1);
    } else if (outcome === 'infra') {
      expect(isInfraError(result)).toBe(true);
      expect((result as Error).message).toContain('SSM GetParametersByPath /rcdebug/aws/kasan');
      expect((result as Error).message).toContain('will be retried');
    } else {
      expect(isUserError(result)).toBe(true);
      expect((result as Error).message).toContain('refresh the credentials');
      expect(proxy.calls.filter((c) => c === 'GetParametersByPath')).toHaveLength(1);
    }
  });
});
