// The cloud contract for `aws`, against the moto emulator with the recording stand-ins of
// packer, terraform and helm (test/aws/rehearsal.ts). The fault proxy in front of moto gives
// what moto cannot: throttling, and a panic in a node's EC2 console output.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { awsClients, type AwsClients } from '../../activities/providers/aws/config';
import { createAwsProvider } from '../../activities/providers/aws/index';
import { ssmRegistry } from '../../activities/providers/aws/ssm-registry';
import type { StepContext } from '../../src/domain/contract';
import { jsonThrottle, type Fault } from '../support/moto';
import { MANIFEST, recordingIO, startRehearsal, stepContext, type Rehearsal } from '../aws/rehearsal';
import { packerThatNeverFinishes, type ContractFixture } from './fixture';
import { contractSuite } from './suite';

let r: Rehearsal;
let clients: AwsClients;

/** Clients through the fault proxy, with the SDK's own retries bounded (three attempts). */
const connectViaProxy = async (region: string) =>
  awsClients({ region, endpoint: r.proxy.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, maxAttempts: 3 });

/** An EC2 GetConsoleOutput answer holding `text`, as EC2's query protocol sends it. */
function consoleOutput(text: string): Fault {
  const output = Buffer.from(text).toString('base64');
  return {
    status: 200,
    headers: { 'content-type': 'text/xml' },
    body: `<?xml version="1.0" encoding="UTF-8"?><GetConsoleOutputResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>rcdebug-fault</requestId><instanceId>i-0</instanceId><timestamp>2026-01-01T00:00:00.000Z</timestamp><output>${output}</output></GetConsoleOutputResponse>`,
  };
}

const fixture: ContractFixture = {
  cloud: 'aws',
  async start() {
    r = await startRehearsal();
    clients = awsClients({ region: 'eu-west-1', endpoint: r.moto.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  },
  async stop() {
    clients?.destroy();
    await r?.close();
  },
  provider: () => createAwsProvider({ connect: connectViaProxy, pollMs: 20, options: { stateDir: r.stateDir, kmemleakWaitSeconds: 1 } }),
  context: (cycleId) => stepContext(r, cycleId),
  registry: () => ssmRegistry(clients.ssm),
  provision(ctx: StepContext) {
    // cluster-provision needs only the AMI (one moto has) and the kernel release from the earlier steps.
    const kernel = { digest: 'd'.repeat(40), kernelRelease: '6.1.119-rcdebug-kasan', configDigest: `sha256:${'c'.repeat(64)}`, cacheHit: false, artifacts: { kernel: '', log: '', reproducer: '', config: '' } };
    const image = { imageId: r.sourceAmi, digest: 'e'.repeat(40), cacheHit: false, artifacts: {} };
    return fixture.provider().clusterProvision({ ctx, kernel, image }, recordingIO());
  },
  async running(_ctx, cluster) {
    const ids = cluster.nodes.map((n) => n.details?.instanceId ?? n.name);
    const res = await clients.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-id', Values: ids }, { Name: 'instance-state-name', Values: ['pending', 'running'] }] }));
    return (res.Reservations ?? []).some((x) => (x.Instances ?? []).length > 0);
  },
  async panicOnConsole(_ctx, _cluster, line) {
    // The next console read answers with a dying kernel's output (which node's read comes first is the SDK's business).
    r.proxy.inject(consoleOutput(`[    0.000000] Linux version 6.1.119-rcdebug-kasan\n${line}\n`), 1, (op) => op === 'GetConsoleOutput');
  },
  async userError(ctx) {
    const manifest = join(r.dir, 'manifest', 'contract-bad.yaml');
    writeFileSync(manifest, MANIFEST.replace('v0.1.17', 'latest'));
    return { call: { step: 'kernelBuild', input: { ctx: { ...ctx, manifest } } }, field: 'workloadCluster.deployments.agent.version' };
  },
  async infraError(ctx) {
    // SSM throttles every attempt the SDK makes: the registry look-up fails, to be retried by the activity.
    r.proxy.inject(jsonThrottle, 3, (op) => op === 'GetParametersByPath');
    const kernel = { digest: 'a'.repeat(40), kernelRelease: '6.1.119-rcdebug-kasan', configDigest: `sha256:${'c'.repeat(64)}`, cacheHit: false, artifacts: { kernel: '', log: '', reproducer: '', config: '' } };
    const image = { imageId: 'ami-0123456789abcdef0', digest: 'b'.repeat(40), cacheHit: false, artifacts: {} };
    return { call: { step: 'versionPublish', input: { ctx, kernel, image } }, message: /SSM GetParametersByPath .*ThrottlingException/ };
  },
  async longRunning(ctx) {
    return packerThatNeverFinishes(r.dir, ctx, r.env.RCDEBUG_PACKER);
  },
};

contractSuite(fixture);
