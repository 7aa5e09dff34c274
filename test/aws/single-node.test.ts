// validateMain's single node on aws against moto: node-boot, node-test, node-teardown. moto runs
// EC2, S3 and SSM's command records; it has no SSM agent. Two STAND-INS, named so, play the
// agent through the fault proxy: DescribeInstanceInformation (moto lacks it) reports the node
// online after a few polls, and GetCommandInvocation answers with the output a test scripts
// for the node, which it also writes where SSM puts the full output (OutputS3BucketName). They
// prove the wiring; what the script does on a real kernel is the local cloud's to show.
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ListCommandsCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsClients, type AwsClients } from '../../activities/providers/aws/config';
import { createAwsProvider } from '../../activities/providers/aws/index';
import { findCycleResources } from '../../activities/providers/aws/janitor';
import { KUNIT_BOOT_SCRIPT } from '../../activities/providers/aws/node-boot';
import type { AwsNodeOptions } from '../../activities/providers/aws/options';
import type { KernelBuildOutput } from '../../src/domain/contract';
import { isUserError } from '../../src/domain/errors';
import type { NodeBootOutput, SingleNodeSteps } from '../../src/domain/validate';
import { cancelCommand, sendShellCommand, waitForInvocation } from '../../activities/providers/aws/ssm-command';
import { recordingIO, startRehearsal, stepContext, type Rehearsal } from './rehearsal';
import { KTAP, fullRun, startSsmAgentStandin, type SsmAgentStandin } from './ssm-agent-standin';

let r: Rehearsal;
let clients: AwsClients;
let subnet: string;
let agent: SsmAgentStandin;
const SLOW_MS = 120_000;
const kernel: KernelBuildOutput = { digest: 'd'.repeat(40), kernelRelease: '6.1.119-rcdebug-kasan', configDigest: `sha256:${'c'.repeat(64)}`, cacheHit: false, artifacts: { kernel: '', log: '', reproducer: '', config: '' } };
const image = () => ({ imageId: r.sourceAmi, digest: 'e'.repeat(40), cacheHit: false, artifacts: {} });

function steps(node: Partial<AwsNodeOptions> = {}): SingleNodeSteps {
  const connect = async (region: string) => awsClients({ region, endpoint: r.proxy.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, maxAttempts: 3 });
  const p = createAwsProvider({ connect, pollMs: 20, options: { stateDir: r.stateDir, kmemleakWaitSeconds: 1, node: { subnet, instanceProfile: 'rcdebug-node', instanceType: 'm6i.xlarge', bootWaitSeconds: 20, ...node } } });
  return p.singleNode!;
}

async function tagged(cycle: string, states = ['pending', 'running']) {
  const res = await clients.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:rcdebug:cycle', Values: [cycle] }, { Name: 'instance-state-name', Values: states }] }));
  return (res.Reservations ?? []).flatMap((x) => x.Instances ?? []);
}

beforeAll(async () => {
  r = await startRehearsal();
  clients = awsClients({ region: 'eu-west-1', endpoint: r.moto.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  agent = await startSsmAgentStandin(r, clients);
  subnet = agent.subnet;
}, 60_000);
afterAll(async () => {
  clients?.destroy();
  await r?.close();
});

describe('aws single node (moto + the SSM agent stand-ins)', () => {
  // validateMain's runs carry no manifest: the region is the worker's AWS_REGION.
  const c = () => stepContext(r, 'aws-validate-kasan', { manifest: '' });
  let booted: NodeBootOutput;

  it('node-boot runs one tagged instance of the debug AMI in the subnet and waits for SSM; a retry finds the same instance', async () => {
    agent.onlineAfter = 2;
    const io = recordingIO();
    booted = await steps().nodeBoot({ ctx: c(), kernel, image: image() }, io);
    const id = booted.node.details?.instanceId;
    expect(id).toMatch(/^i-[0-9a-f]+$/);
    const [inst, ...more] = await tagged('aws-validate-kasan');
    expect(more).toEqual([]);
    expect(inst).toMatchObject({ InstanceId: id, ImageId: r.sourceAmi, InstanceType: 'm6i.xlarge', SubnetId: subnet });
    const tags = Object.fromEntries((inst!.Tags ?? []).map((t) => [t.Key, t.Value]));
    expect(tags).toMatchObject({ 'rcdebug:cycle': 'aws-validate-kasan', 'rcdebug:rc': 'v1.4.0-rc2', 'rcdebug:flavor': 'kasan', 'rcdebug:managed': 'true', 'rcdebug:role': 'validate-node' });
    // Waited through the agent's registration: two polls without it, then Online.
    expect(io.messages.filter((m) => m.includes('SSM agent not registered')).length).toBeGreaterThanOrEqual(1);
    // KUnit turned on through the agent's reboot-and-rerun before the node is handed over.
    const bootCmds = (await clients.ssm.send(new ListCommandsCommand({ InstanceId: id }))).Commands ?? [];
    expect(bootCmds.map((x) => x.Parameters?.commands)).toEqual([KUNIT_BOOT_SCRIPT]);
    expect(KUNIT_BOOT_SCRIPT.join('\n')).toMatch(/grubby --update-kernel=.* --args=kunit\.enable=1[\s\S]*exit 194/);
    expect(booted.node.console).toBe(`s3://${r.bucket}/artifacts/aws-validate-kasan/node-test/${id}/dmesg.log`);
    // The janitor sweeps a node left behind with its cycle.
    expect((await findCycleResources(clients)).get('aws-validate-kasan')).toEqual([expect.objectContaining({ kind: 'instance', id })]);

    const runsBefore = r.proxy.calls.filter((op) => op === 'RunInstances').length;
    const again = await steps().nodeBoot({ ctx: c(), kernel, image: image() }, recordingIO());
    expect(again.node.name).toBe(booted.node.name);
    expect(r.proxy.calls.filter((op) => op === 'RunInstances').length).toBe(runsBefore);
    expect(await tagged('aws-validate-kasan')).toHaveLength(1);
  }, SLOW_MS);

  it('node-test uploads the module, sends the build/insmod/timeout/kmemleak script and reads the full output from S3', async () => {
    let script = '';
    agent.play = (s) => {
      script = s;
      // 30,000 characters of command output: past SSM's 24,000, the KTAP after it is only in S3.
      return { status: 'Success', stdout: fullRun('x'.repeat(30_000)) };
    };
    const out = await steps().nodeTest({ ctx: c(), kernel, node: booted, moduleParams: 'bug=none', testCommand: "cat /proc/kbug && echo 'done'", timeoutSeconds: 30 }, recordingIO());
    expect(out.ktap).toBe(KTAP);
    expect(out.command).toEqual({ exitCode: 0, timedOut: false, output: 'x'.repeat(16_000) });
    expect(out.panic).toBeUndefined();
    expect(out.timedOut).toBeUndefined();
    expect(out.loadError).toBeUndefined();
    expect(out.consoleOffset).toBe(0);
    expect(out.console).toBe(booted.node.console);
    const consoleLog = await (await clients.s3.send(new GetObjectCommand({ Bucket: r.bucket, Key: `artifacts/aws-validate-kasan/node-test/${booted.node.name}/dmesg.log` }))).Body!.transformToString();
    expect(consoleLog).toContain('kbug: loaded (bug=none)');
    expect(consoleLog).toContain('unreferenced object 0xffff888003a1c000');

    // The module's source is in the artifact store, without build outputs.
    const listed = await clients.s3.send(new ListObjectsV2Command({ Bucket: r.bucket, Prefix: 'artifacts/aws-validate-kasan/node-test/module/' }));
    const keys = (listed.Contents ?? []).map((o) => o.Key!.split('/').pop());
    expect(keys).toEqual(expect.arrayContaining(['Makefile', 'kbug.c']));
    expect(keys.some((k) => /\.(o|ko)$/.test(k!))).toBe(false);

    // The script: fetch, build against the running kernel, load with the params, the command under timeout, the double scan.
    expect(script).toContain(`aws s3 cp --recursive --only-show-errors 's3://${r.bucket}/artifacts/aws-validate-kasan/node-test/module/' "$W/src"`);
    expect(script).toContain('make -C "/lib/modules/$(uname -r)/build" M="$W/src" modules');
    expect(script).toContain(`insmod "$KO" 'bug=none'`);
    expect(script).toContain(`timeout -k 10 30 sh -c 'cat /proc/kbug && echo '\\''done'\\''`);
    expect(script.match(/echo scan > \/sys\/kernel\/debug\/kmemleak/g)).toHaveLength(2);
    const [cmd] = (await clients.ssm.send(new ListCommandsCommand({ InstanceId: booted.node.name }))).Commands!.slice(-1);
    expect(cmd).toMatchObject({ DocumentName: 'AWS-RunShellScript', OutputS3BucketName: r.bucket, OutputS3KeyPrefix: 'artifacts/aws-validate-kasan/node-test/ssm' });
    expect(Number(cmd!.Parameters!.executionTimeout![0])).toBeGreaterThan(60);
  }, SLOW_MS);

  it('a test command that hangs is a timed-out failure: by its own timeout, or by the agent\'s bound with the output cut', async () => {
    agent.play = () => ({ status: 'Success', stdout: fullRun('waiting for /proc/kbug...', 124) });
    const byTimeout = await steps().nodeTest({ ctx: c(), kernel, node: booted, testCommand: 'sleep infinity', timeoutSeconds: 5 }, recordingIO());
    expect(byTimeout.command).toMatchObject({ exitCode: 124, timedOut: true });
    expect(byTimeout.ktap).toBe(KTAP);
    expect(byTimeout.timedOut).toBe(true);

    agent.play = () => ({ status: 'TimedOut', details: 'ExecutionTimedOut', stdout: '@@rcdebug uname 6.1.119-rcdebug-kasan\n@@rcdebug command\n' });
    const byAgent = await steps().nodeTest({ ctx: c(), kernel, node: booted, testCommand: 'sleep infinity', timeoutSeconds: 5 }, recordingIO());
    expect(byAgent.command?.exitCode).toBeNull();
    expect(byAgent.command?.timedOut).toBe(true);
    expect(byAgent.command?.output).toContain('TimedOut (ExecutionTimedOut)');
    expect(byAgent.panic).toBeUndefined();
    expect(byAgent.timedOut).toBe(true);
  }, SLOW_MS);

  it('a command that never ends: the poll gives up at its deadline with heartbeats, and the cancel is best effort', async () => {
    agent.play = () => ({ status: 'InProgress', stdout: '@@rcdebug uname 6.1.119-rcdebug-kasan\n@@rcdebug command\n' });
    const via = awsClients({ region: 'eu-west-1', endpoint: r.proxy.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    try {
      const id = await sendShellCommand(via, { instanceIds: [booted.node.name], commands: ['sleep infinity'], comment: 'hang', executionTimeoutSeconds: 60 });
      const io = recordingIO();
      const started = Date.now();
      const inv = await waitForInvocation(via, id, booted.node.name, { io, pollMs: 20, deadline: Date.now() + 400, what: 'node test' });
      expect(inv).toBeUndefined();
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(io.messages.filter((m) => m === `node test on ${booted.node.name}: InProgress`).length).toBeGreaterThan(1);
      // moto has no CancelCommand: the failure is said, not thrown.
      const why = await cancelCommand(via, id, [booted.node.name]);
      expect(why === undefined || why.startsWith(`SSM CancelCommand ${id}`)).toBe(true);
    } finally {
      via.destroy();
    }
  }, SLOW_MS);

  it('a node that dies mid-test reports its panic from the EC2 console; the KTAP cut by it is returned as far as it went', async () => {
    const cut = ['@@rcdebug uname 6.1.119-rcdebug-kasan', '@@rcdebug command'].join('\n');
    agent.play = () => ({ status: 'Failed', stdout: cut });
    const dying = Buffer.from('[  101.0] BUG: KASAN: use-after-free in kbug_uaf_read\n[  101.2] Kernel panic - not syncing: KASAN: panic_on_warn set ...\n').toString('base64');
    r.proxy.inject({ status: 200, headers: { 'content-type': 'text/xml' }, body: `<?xml version="1.0" encoding="UTF-8"?><GetConsoleOutputResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>stand-in</requestId><instanceId>${booted.node.name}</instanceId><timestamp>2026-01-01T00:00:00.000Z</timestamp><output>${dying}</output></GetConsoleOutputResponse>` }, 1, (op) => op === 'GetConsoleOutput');
    const out = await steps().nodeTest({ ctx: c(), kernel, node: booted, testCommand: 'cat /proc/kbug', timeoutSeconds: 5 }, recordingIO());
    expect(out.panic).toBe('[  101.2] Kernel panic - not syncing: KASAN: panic_on_warn set ...');
    expect(out.command).toMatchObject({ exitCode: null, timedOut: false });
    expect(out.ktap).toBe('');
    expect(out.timedOut).toBeUndefined();
    expect(r.proxy.calls).toContain('GetConsoleOutput');
  }, SLOW_MS);

  it('a module that does not build is a UserError with the compiler\'s first error', async () => {
    agent.play = () => ({ status: 'Failed', stdout: '@@rcdebug uname 6.1.119-rcdebug-kasan\n@@rcdebug build-failed\n  CC [M]  /var/tmp/x/src/kbug.o\n/var/tmp/x/src/kbug.c:12:5: error: implicit declaration of function \'kbug_nope\'\n   12 |     kbug_nope();\nmake[2]: *** Error 1\n' });
    const err = await steps().nodeTest({ ctx: c(), kernel, node: booted, timeoutSeconds: 5 }, recordingIO()).catch((e: unknown) => e);
    expect(isUserError(err), String(err)).toBe(true);
    expect((err as { field?: string }).field).toBe('module.source');
    expect((err as Error).message).toContain("kbug.c:12:5: error: implicit declaration of function 'kbug_nope'");
  }, SLOW_MS);

  it('a module that does not load is a load error with insmod\'s words; the command is not run', async () => {
    agent.play = () => ({ status: 'Success', stdout: ['@@rcdebug uname 6.1.119-rcdebug-kasan', '@@rcdebug insmod-failed 1', "insmod: ERROR: could not insert module kbug.ko: Unknown symbol in module", '@@rcdebug ktap', '@@rcdebug kmemleak', '@@rcdebug dmesg', '[  100.0] kbug: Unknown symbol kbug_nope (err -2)', '@@rcdebug end', ''].join('\n') });
    const out = await steps().nodeTest({ ctx: c(), kernel, node: booted, testCommand: 'cat /proc/kbug', timeoutSeconds: 5 }, recordingIO());
    expect(out.loadError).toBe('insmod: ERROR: could not insert module kbug.ko: Unknown symbol in module');
    expect(out.command).toBeUndefined();
    expect(out.timedOut).toBeUndefined();
  }, SLOW_MS);

  it('node-report turns the run into test cases and a JUnit file in S3, with the aws reproducer', async () => {
    agent.play = () => ({ status: 'Success', stdout: fullRun('ok') });
    const test = await steps().nodeTest({ ctx: c(), kernel, node: booted, testCommand: 'cat /proc/kbug', timeoutSeconds: 30 }, recordingIO());
    const checkout = { repo: 'kernel/examples/kbug', ref: 'HEAD', commit: 'f'.repeat(40), module: c().module };
    const report = await steps().nodeReport({ ctx: c(), checkout, kernel, image: image(), node: booted, test, testCommand: 'cat /proc/kbug', timeoutSeconds: 30 }, recordingIO());
    expect(report.tests).toEqual(expect.arrayContaining([
      expect.objectContaining({ suite: 'kbug', name: 'kbug_parse_ok', status: 'passed' }),
      expect.objectContaining({ name: 'cat /proc/kbug', status: 'passed' }),
    ]));
    expect(report.junit).toMatch(new RegExp(`^s3://${r.bucket}/artifacts/aws-validate-kasan/validate/junit\\.xml$`));
    const junit = await (await clients.s3.send(new GetObjectCommand({ Bucket: r.bucket, Key: 'artifacts/aws-validate-kasan/validate/junit.xml' }))).Body!.transformToString();
    expect(junit).toContain('kbug_parse_ok');
    expect(junit).toContain('f'.repeat(40));
    expect(report.reproducer).toContain(`aws ec2 run-instances --region eu-west-1 --image-id ${r.sourceAmi} --instance-type m6i.xlarge --subnet-id ${subnet} --iam-instance-profile Name=rcdebug-node`);
  }, SLOW_MS);

  it('node-teardown terminates the node and waits; a second teardown finds it gone and succeeds', async () => {
    const out = await steps().nodeTeardown({ ctx: c(), node: booted }, recordingIO());
    expect(out.removed).toEqual([`EC2 instance ${booted.node.name}`]);
    expect(await tagged('aws-validate-kasan')).toEqual([]);
    expect((await tagged('aws-validate-kasan', ['terminated'])).map((i) => i.InstanceId)).toEqual([booted.node.name]);
    expect(await steps().nodeTeardown({ ctx: c(), node: booted }, recordingIO())).toEqual({ removed: [] });
  }, SLOW_MS);

  it('node-teardown without the boot\'s output finds a leaked node by its tags', async () => {
    agent.onlineAfter = 0;
    const leaked = await steps().nodeBoot({ ctx: stepContext(r, 'aws-validate-leak', { manifest: '' }), kernel, image: image() }, recordingIO());
    const out = await steps().nodeTeardown({ ctx: stepContext(r, 'aws-validate-leak', { manifest: '' }) }, recordingIO());
    expect(out.removed).toEqual([`EC2 instance ${leaked.node.name}`]);
    expect(await tagged('aws-validate-leak')).toEqual([]);
  }, SLOW_MS);
});

describe('aws single node: bad settings are a UserError before any instance exists', () => {
  it.each([
    { name: 'no subnet', node: { subnet: undefined }, field: 'RCDEBUG_AWS_NODE_SUBNET', message: 'no subnet' },
    { name: 'a subnet that does not exist', node: { subnet: 'subnet-0123456789abcdef0' }, field: 'RCDEBUG_AWS_NODE_SUBNET', message: 'does not exist in eu-west-1' },
    { name: 'an instance type the zone does not offer', node: { instanceType: 'm6i.nonesuch' }, field: 'RCDEBUG_AWS_NODE_INSTANCE_TYPE', message: 'is not offered in eu-west-1a' },
    { name: 'no instance profile', node: { instanceProfile: undefined }, field: 'RCDEBUG_AWS_NODE_INSTANCE_PROFILE', message: 'AmazonSSMManagedInstanceCore' },
  ])('$name', async ({ node, field, message }) => {
    const cycle = `aws-validate-bad-${field.length}-${message.length}`;
    const runsBefore = r.proxy.calls.filter((op) => op === 'RunInstances').length;
    const err = await steps(node).nodeBoot({ ctx: stepContext(r, cycle, { manifest: '' }), kernel, image: image() }, recordingIO()).catch((e: unknown) => e);
    expect(isUserError(err), String(err)).toBe(true);
    expect((err as { field?: string }).field).toBe(field);
    expect((err as Error).message).toContain(message);
    expect(r.proxy.calls.filter((op) => op === 'RunInstances').length).toBe(runsBefore);
    expect(await tagged(cycle, ['pending', 'running', 'terminated'])).toEqual([]);
  }, SLOW_MS);
});
