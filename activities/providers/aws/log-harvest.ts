import { join } from 'node:path';
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetConsoleOutputCommand } from '@aws-sdk/client-ec2';
import type { AwsClients } from './config';
import { awsErrorCode, classifyAwsError } from './errors';
import type { LogHarvestInput, LogHarvestOutput, StepIO } from '../../../src/domain/contract';
import { harvestLogs, type ConsoleSources, type FetchedConsole } from '../../steps/log-harvest';
import type { AwsDeps } from './deps';
import { safeName, withStep, type AwsStep } from './step-context';

/** Every event of a log group, by stream (`<instance-id>/kernel`, `<instance-id>/kmemleak`), following nextToken. */
export async function logGroupEvents(clients: AwsClients, logGroupName: string, io: StepIO): Promise<Map<string, string[]>> {
  const streams = new Map<string, string[]>();
  let token: string | undefined;
  let pages = 0;
  do {
    let res;
    try {
      res = await clients.logs.send(new FilterLogEventsCommand({ logGroupName, nextToken: token, limit: 1000 }));
    } catch (err) {
      // A cycle that never got nodes has no log group: nothing to harvest there.
      if (awsErrorCode(err) === 'ResourceNotFoundException') return streams;
      throw classifyAwsError(err, `CloudWatch Logs FilterLogEvents ${logGroupName}`);
    }
    for (const e of res.events ?? []) {
      const stream = e.logStreamName ?? 'unknown';
      const lines = streams.get(stream) ?? [];
      lines.push(e.message ?? '');
      streams.set(stream, lines);
    }
    token = res.nextToken;
    pages++;
    io.progress({ message: `CloudWatch ${logGroupName}: ${pages} page(s)` });
  } while (token);
  return streams;
}

async function consoleOutput(clients: AwsClients, instanceId: string): Promise<string | undefined> {
  try {
    const res = await clients.ec2.send(new GetConsoleOutputCommand({ InstanceId: instanceId, Latest: true }));
    return res.Output ? Buffer.from(res.Output, 'base64').toString('utf8') : '';
  } catch (err) {
    if (awsErrorCode(err) === 'InvalidInstanceID.NotFound') return undefined;
    throw classifyAwsError(err, `EC2 GetConsoleOutput ${instanceId}`);
  }
}

/**
 * The console sources of an aws cycle: its CloudWatch log streams (kernel messages and the
 * kmemleak results the nodes ship) and every node's EC2 console output.
 */
export async function awsConsoleSources(input: LogHarvestInput, io: StepIO, s: AwsStep, deps: AwsDeps): Promise<ConsoleSources> {
  const { ctx } = input;
  const sources: FetchedConsole[] = [];
  const nodes = input.cluster?.nodes ?? [];
  const logGroup = input.cluster?.details.logGroup;
  if (logGroup) {
    const streams = await logGroupEvents(s.clients, logGroup, io);
    for (const [stream, lines] of [...streams].sort(([a], [b]) => a.localeCompare(b))) {
      const instance = stream.split('/')[0] ?? stream;
      const node = nodes.find((n) => n.details?.instanceId === instance)?.name ?? instance;
      sources.push({ node, key: `cloudwatch/${safeName(stream, 200)}.log`, text: `${lines.join('\n')}\n` });
    }
  }
  for (const n of nodes) {
    const id = n.details?.instanceId ?? n.name;
    io.progress({ message: `console output of ${id}` });
    const text = await consoleOutput(s.clients, id);
    if (text !== undefined) sources.push({ node: n.name, key: `console/${safeName(id)}.log`, text });
  }
  return {
    sources,
    nodes: nodes.map((n) => n.name),
    artifacts: s.artifacts,
    base: safeName(ctx.cycleId),
    workDir: join(deps.options.stateDir, 'harvest', safeName(ctx.cycleId)),
    commands: reproduceCommands(input, s.region),
  };
}

/** log-harvest (aws): the cycle's logs through the neutral log-harvest step (artifacts in S3, mirrored locally). */
export async function awsLogHarvest(input: LogHarvestInput, io: StepIO, deps: AwsDeps): Promise<LogHarvestOutput> {
  return withStep(input.ctx, deps, async (s) => harvestLogs(input, io, await awsConsoleSources(input, io, s, deps)));
}

/** How to get the same kernel on a node by hand. */
function reproduceCommands(input: LogHarvestInput, region: string): string[] {
  const ami = input.image?.imageId;
  if (!ami) return [];
  return [
    `# launch a node on the debug AMI (${input.kernel?.kernelRelease ?? 'kernel'}) and load the module under test`,
    `aws ec2 run-instances --region ${region} --image-id ${ami} --instance-type m6i.xlarge --count 1`,
    `# kernel build inputs and reproducer: ${input.kernel?.artifacts.reproducer ?? 'n/a'}`,
  ];
}

