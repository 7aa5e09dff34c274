import { CreateLogGroupCommand, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateImageCommand, DescribeImagesCommand, DescribeInstancesCommand, DescribeSnapshotsCommand, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateClusterCommand, ListClustersCommand } from '@aws-sdk/client-eks';
import { Command } from 'commander';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { CLOUD_JANITOR_WORKFLOW } from '../../activities/plugin';
import { runJanitorSweep } from '../../activities/providers/aws/janitor-activity';
import { testClient } from '../support/engine';
import { awsClients, type AwsClients } from '../../activities/providers/aws/config';
import { retention, sweep } from '../../activities/providers/aws/janitor';
import { registerJanitorCommands } from '../../src/app/cli/commands/janitor';
import { isUserError } from '../../src/domain/errors';
import { ssmRegistry } from '../../activities/providers/aws/ssm-registry';
import { motoEnv, startMoto, type Moto } from '../support/moto';

let moto: Moto;
let clients: AwsClients;
beforeAll(async () => {
  moto = await startMoto();
  clients = awsClients({ region: 'eu-west-1', endpoint: moto.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
});
afterAll(async () => {
  clients?.destroy();
  await moto?.stop();
});
beforeEach(async () => {
  await moto.reset();
});

async function someAmi(): Promise<string> {
  const images = await clients.ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }));
  return images.Images![0]!.ImageId!;
}

async function cycleResources(cycle: string): Promise<void> {
  await clients.ec2.send(new RunInstancesCommand({
    ImageId: await someAmi(), MinCount: 2, MaxCount: 2,
    TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'rcdebug:cycle', Value: cycle }, { Key: 'eks:cluster-name', Value: `${cycle}-wl` }] }],
  }));
  await clients.eks.send(new CreateClusterCommand({ name: `${cycle}-wl`, roleArn: 'arn:aws:iam::123456789012:role/x', resourcesVpcConfig: { subnetIds: ['subnet-1'] }, tags: { 'rcdebug:cycle': cycle } }));
  await clients.logs.send(new CreateLogGroupCommand({ logGroupName: `/rcdebug/${cycle}` }));
}

async function running(cycle: string): Promise<number> {
  const res = await clients.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:rcdebug:cycle', Values: [cycle] }, { Name: 'instance-state-name', Values: ['running'] }] }));
  return (res.Reservations ?? []).flatMap((r) => r.Instances ?? []).length;
}

describe('janitor sweep against moto', () => {
  it.each([
    { name: 'closed cycle is removed', closed: true, ageHours: 1, removed: true },
    { name: 'running recent cycle is kept', closed: false, ageHours: 1, removed: false },
    { name: 'running cycle older than the TTL is removed', closed: false, ageHours: 30, removed: true },
    { name: 'unknown state, recent: kept', closed: undefined, ageHours: 1, removed: false },
  ])('$name', async ({ closed, ageHours, removed }) => {
    await cycleResources('cyc-a');
    const now = new Date(Date.now() + ageHours * 3_600_000);
    const dry = await sweep(clients, { ttlMs: 24 * 3_600_000, now, dryRun: true, isClosed: async () => closed });
    expect(dry.every((a) => a.outcome === 'would-remove')).toBe(true);
    expect(await running('cyc-a')).toBe(2);
    const done = await sweep(clients, { ttlMs: 24 * 3_600_000, now, isClosed: async () => closed });
    if (!removed) {
      expect(dry).toEqual([]);
      expect(done).toEqual([]);
      expect(await running('cyc-a')).toBe(2);
      return;
    }
    expect(done.map((a) => `${a.kind} ${a.outcome}`).sort()).toEqual(['eks-cluster removed', 'instance removed', 'instance removed', 'log-group removed']);
    expect(done.every((a) => a.cycle === 'cyc-a' && a.reason === (closed ? 'its cycle is closed' : a.reason))).toBe(true);
    expect(await running('cyc-a')).toBe(0);
    expect((await clients.eks.send(new ListClustersCommand({}))).clusters).toEqual([]);
    expect((await clients.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/rcdebug/' }))).logGroups).toEqual([]);
  });

  it('leaves other cycles alone and lists a failed terraform destroy without stopping', async () => {
    await cycleResources('cyc-old');
    await cycleResources('cyc-live');
    const actions = await sweep(clients, {
      ttlMs: 24 * 3_600_000,
      isClosed: async (c) => c === 'cyc-old',
      destroyWorkspace: async () => {
        throw new Error('state bucket unreachable');
      },
    });
    expect(actions[0]).toMatchObject({ kind: 'terraform-workspace', outcome: 'failed', error: 'state bucket unreachable', cycle: 'cyc-old' });
    expect(actions.filter((a) => a.outcome === 'removed').every((a) => a.cycle === 'cyc-old')).toBe(true);
    expect(await running('cyc-old')).toBe(0);
    expect(await running('cyc-live')).toBe(2);
  });
});

describe('janitor retention against moto', () => {
  it('keeps the last N records per flavor and latest; deregisters older AMIs and deletes their snapshots', async () => {
    const registry = ssmRegistry(clients.ssm);
    const run = await clients.ec2.send(new RunInstancesCommand({ ImageId: await someAmi(), MinCount: 1, MaxCount: 1 }));
    const instance = run.Instances![0]!.InstanceId!;
    const amis: string[] = [];
    for (let i = 1; i <= 4; i++) {
      const ami = (await clients.ec2.send(new CreateImageCommand({ InstanceId: instance, Name: `rcdebug-${i}` }))).ImageId!;
      amis.push(ami);
      await registry.publish({ cloud: 'aws', flavor: 'kasan', kernelRelease: '6.1.1', inputDigest: `d${i}xxxxxxxx`, imageId: ami, configDigest: 'c', createdAt: `2026-11-0${i}T00:00:00Z`, rc: `rc${i}` });
    }
    // latest rolled back to the oldest: it must survive retention.
    await registry.rollback('aws', 'kasan', 'd1xxxxxxxx');
    const snapshotOf = async (ami: string) => (await clients.ec2.send(new DescribeImagesCommand({ ImageIds: [ami] }))).Images?.[0]?.BlockDeviceMappings?.[0]?.Ebs?.SnapshotId;
    const doomedSnapshot = await snapshotOf(amis[1]!);
    expect(doomedSnapshot).toMatch(/^snap-/);

    const dry = await retention(clients, { keep: 2, flavors: ['kasan', 'kcsan'], dryRun: true });
    expect(dry.filter((a) => a.kind === 'ami').map((a) => a.id)).toEqual([amis[1]]);
    const done = await retention(clients, { keep: 2, flavors: ['kasan', 'kcsan'] });
    expect(done.filter((a) => a.outcome === 'failed')).toEqual([]);
    expect(done.filter((a) => a.kind === 'ami').map((a) => a.id)).toEqual([amis[1]]);
    expect(done.filter((a) => a.kind === 'snapshot').map((a) => a.id)).toEqual([doomedSnapshot]);
    expect((await registry.history('aws', 'kasan')).map((r) => r.inputDigest)).toEqual(['d1xxxxxxxx', 'd3xxxxxxxx', 'd4xxxxxxxx']);
    expect((await clients.ec2.send(new DescribeImagesCommand({ Filters: [{ Name: 'image-id', Values: [amis[1]!] }] }))).Images).toEqual([]);
    const snaps = await clients.ec2.send(new DescribeSnapshotsCommand({ Filters: [{ Name: 'snapshot-id', Values: [doomedSnapshot!] }] }));
    expect(snaps.Snapshots).toEqual([]);
    expect(await registry.forRc('rc2', 'aws', 'kasan')).toBeUndefined();
  });
});

describe('rcdebug janitor: bad options are UserErrors before any AWS call', () => {
  it.each([
    { argv: ['janitor', 'retention', '--cloud', 'aws', '--keep', '0'], field: '--keep' },
    { argv: ['janitor', 'retention', '--cloud', 'aws'], field: '--keep' },
    { argv: ['janitor', 'retention', '--cloud', 'aws', '--keep', '2', '--flavor', 'kasan,msan'], field: '--flavor' },
    { argv: ['janitor', 'sweep', '--cloud', 'aws', '--ttl', 'soon', '--no-temporal'], field: '--ttl' },
    { argv: ['janitor', 'sweep', '--cloud', 'local'], field: '--cloud' },
    { argv: ['janitor', 'rollback', '--digest', 'd1'], field: '--flavor' },
  ])('$argv', async ({ argv, field }) => {
    const program = new Command('rcdebug').exitOverride();
    registerJanitorCommands(program);
    const err = await program.parseAsync(['node', 'rcdebug', ...argv]).catch((e: unknown) => e);
    expect(isUserError(err), String(err)).toBe(true);
    expect((err as { field?: string }).field).toBe(field);
  });
});

/** Runs `fn` with the given environment variables, then puts the old values back. */
async function withEnv<T>(env: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

describe('janitor with the real Temporal dev server', () => {
  it('asks Temporal: a cycle it has never heard of is closed and swept; a TTL of days keeps nothing else from going', async () => {
    await cycleResources('rcdebug-cycle-unknown-to-temporal');
    const client = await testClient();
    try {
      const actions = await withEnv({ ...motoEnv(moto.endpoint), RCDEBUG_AWS_BUCKET: '' }, () =>
        runJanitorSweep({ ttlSeconds: 30 * 86_400, terraform: false }, { client }));
      expect(actions.map((a) => `${a.kind} ${a.outcome} ${a.reason}`).sort()).toEqual([
        'eks-cluster removed its cycle is closed', 'instance removed its cycle is closed', 'instance removed its cycle is closed', 'log-group removed its cycle is closed',
      ]);
      expect(await running('rcdebug-cycle-unknown-to-temporal')).toBe(0);
    } finally {
      await client.connection.close();
    }
  });

  it('janitor schedule create/delete makes a Temporal Schedule of the sweep', async () => {
    const id = `janitor-test-${process.pid}`;
    await withEnv({ TEMPORAL_ADDRESS: inject('temporalAddress') }, async () => {
      const program = () => {
        const p = new Command('rcdebug').exitOverride();
        registerJanitorCommands(p);
        return p;
      };
      await program().parseAsync(['node', 'rcdebug', 'janitor', 'schedule', 'create', id, '--cloud', 'aws', '--every', '6h', '--ttl', '2d', '--region', 'eu-west-1']);
      const client = await testClient();
      try {
        const d = await client.schedule.getHandle(id).describe();
        expect(d.action).toMatchObject({ type: 'startWorkflow', workflowType: CLOUD_JANITOR_WORKFLOW, taskQueue: 'rcdebug', args: [{ cloud: 'aws', sweep: { ttlSeconds: 172_800, region: 'eu-west-1' } }] });
        expect(d.spec.intervals?.[0]?.every).toBe(6 * 3_600_000);
      } finally {
        await client.connection.close();
      }
      await program().parseAsync(['node', 'rcdebug', 'janitor', 'schedule', 'delete', id, '--cloud', 'aws']);
      const err = await program().parseAsync(['node', 'rcdebug', 'janitor', 'schedule', 'delete', id, '--cloud', 'aws']).catch((e: unknown) => e);
      expect(isUserError(err), String(err)).toBe(true);
    });
  });
});
