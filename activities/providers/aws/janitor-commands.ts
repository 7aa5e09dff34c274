/**
 * `rcdebug janitor ... --cloud aws`: what the aws cloud left behind. `sweep` removes the
 * resources of closed or expired cycles (terraform destroy of the workspace first, then
 * whatever is still tagged), `schedule create|delete` runs the sweep from a Temporal Schedule,
 * `retention` keeps the last N builds per flavor, `registry` lists and `rollback` moves the
 * `latest` pointer. The CLI parses the options by their kind before `run`; the AWS SDK is
 * imported only when a command runs.
 */
import type { Flavor, StepIO } from '../../../src/domain/contract';
import { janitorActionsOutput, janitorScheduleCommands } from '../../janitor-commands';
import type { CloudCommand, CloudCommandOption } from '../../plugin';
import type { AwsClients } from './config';

const region: CloudCommandOption = { flags: '--region <region>', description: 'AWS region (default AWS_REGION)' };
const dryRun: CloudCommandOption = { flags: '--dry-run', description: 'list what would be removed, remove nothing', kind: 'flag' };
const flavors: CloudCommandOption = { flags: '--flavor <list>', description: 'flavors, comma separated (default every flavor)', kind: 'flavors' };

async function withAws<T>(regionName: unknown, fn: (c: AwsClients) => Promise<T>): Promise<T> {
  const { connectAws } = await import('./config');
  const clients = await connectAws({ region: regionName as string | undefined, field: '--region' });
  try {
    return await fn(clients);
  } finally {
    clients.destroy();
  }
}

const sweep: CloudCommand = {
  path: ['sweep'],
  description: 'remove resources tagged rcdebug:cycle whose cycle is closed or older than the TTL',
  options: [
    { flags: '--ttl <duration>', description: 'remove anything older than this, whatever its cycle, e.g. 24h', kind: 'duration', default: '24h' },
    region,
    dryRun,
    { flags: '--no-temporal', description: 'do not ask Temporal which cycles are closed (the TTL alone decides)', kind: 'flag' },
    { flags: '--no-terraform', description: 'delete with the AWS API only, without terraform destroy of the workspace', kind: 'flag' },
  ],
  async run(_args, o, io: StepIO) {
    const { runJanitorSweep } = await import('./janitor-activity');
    const input = { ttlSeconds: (o.ttl as number) / 1000, region: o.region as string | undefined, dryRun: o.dryRun as boolean | undefined, temporal: o.temporal as boolean, terraform: o.terraform as boolean };
    return janitorActionsOutput(await runJanitorSweep(input, { io }), Boolean(o.dryRun));
  },
};

const retention: CloudCommand = {
  path: ['retention'],
  description: 'keep the last N published builds per flavor; older records lose their SSM parameters, AMI and snapshots',
  options: [
    { flags: '--keep <n>', description: 'records to keep per flavor (the one latest points at is always kept)', kind: 'count', required: true },
    flavors,
    region,
    dryRun,
  ],
  async run(_args, o) {
    const { retention: keepLast } = await import('./janitor');
    const actions = await withAws(o.region, (clients) => keepLast(clients, { keep: o.keep as number, flavors: o.flavor as Flavor[], dryRun: o.dryRun as boolean | undefined }));
    return janitorActionsOutput(actions, Boolean(o.dryRun));
  },
};

const registry: CloudCommand = {
  path: ['registry'],
  description: 'list the published builds of each flavor, oldest first, and where latest points',
  options: [flavors, region],
  async run(_args, o) {
    const { ssmRegistry } = await import('./ssm-registry');
    const out = await withAws(o.region, async (clients) => {
      const reg = ssmRegistry(clients.ssm);
      const list = [];
      for (const flavor of o.flavor as Flavor[]) {
        list.push({ flavor, latest: (await reg.latest('aws', flavor))?.inputDigest, records: await reg.history('aws', flavor), latestHistory: await reg.latestHistory('aws', flavor) });
      }
      return list;
    });
    return {
      json: out,
      tables: out.map((f) => ({
        title: `${f.flavor}:`,
        head: ['created', 'rc', 'kernel', 'digest', 'image', ''],
        rows: f.records.map((r) => [r.createdAt, r.rc, r.kernelRelease, r.inputDigest, r.imageId, r.inputDigest === f.latest ? 'latest' : '']),
      })),
      lines: [],
    };
  },
};

const rollback: CloudCommand = {
  path: ['rollback'],
  description: 'point latest of a flavor back at an earlier build',
  options: [
    { flags: '--flavor <flavor>', description: 'flavor', kind: 'flavors', required: true },
    { flags: '--digest <digest>', description: 'input digest of the build (see `rcdebug janitor registry`)', required: true },
    region,
  ],
  async run(_args, o) {
    const [flavor] = o.flavor as Flavor[];
    const { ssmRegistry } = await import('./ssm-registry');
    await withAws(o.region, (clients) => ssmRegistry(clients.ssm).rollback('aws', flavor as Flavor, o.digest as string));
    return { json: { flavor, latest: o.digest }, tables: [], lines: [`latest of aws/${flavor} now points at ${o.digest as string}`] };
  },
};

/** The janitor commands of the aws cloud. */
export const awsJanitorCommands: CloudCommand[] = [
  sweep,
  ...janitorScheduleCommands('aws', [{ flags: '--region <region>', description: "AWS region (default the worker's AWS_REGION)" }], (o) => ({
    ttlSeconds: (o.ttl as number) / 1000,
    ...(o.region ? { region: o.region } : {}),
  })),
  retention,
  registry,
  rollback,
];
