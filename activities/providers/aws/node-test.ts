/**
 * node-test (aws): the module's tests on validateMain's node through SSM Run Command. The
 * worker's checkout of the module goes to the cycle's artifact store on S3; the node fetches
 * it, builds it against its running kernel, loads it (its KUnit suites run and print KTAP),
 * runs the test command under `timeout`, takes a kmemleak double scan and prints its kernel
 * log. The full output goes to S3 (the API keeps 24,000 characters). A command that outlives
 * its bound is a failed test, never a stuck step.
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { StepIO } from '../../../src/domain/contract';
import { InfraError, UserError } from '../../../src/domain/errors';
import { panicLine } from '../../../src/domain/findings/panic';
import { resolveInputPath } from '../../../src/domain/paths';
import type { NodeTestInput, NodeTestOutput } from '../../../src/domain/validate';
import type { AwsDeps } from './deps';
import { firstCompilerError, ktapFromLog, nodeTestScript, readNodeTestOutput, type NodeTestPrinted } from './node-test-script';
import { requireBucket } from './options';
import { consoleText } from './soak-check';
import { cancelCommand, commandStdout, sendShellCommand, waitForInvocation } from './ssm-command';
import { withStep, type AwsStep } from './step-context';

/** Build outputs and hidden files stay on the worker. */
const NOT_SOURCE = /(^\.|\.(o|ko|mod|mod\.c|cmd|a|order|symvers|dwo)$|^Module\.symvers$|^modules\.order$)/;
/** Bound of the module build on the node. */
const BUILD_SECONDS = 900;
/** Longest test command output kept in the step's result (its tail); the whole of it is in S3. */
const RESULT_OUTPUT_CHARS = 16_000;

/** The module's source files, relative to its directory. */
async function sourceFiles(dir: string, root = dir): Promise<string[]> {
  const out: string[] = [];
  for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    if (NOT_SOURCE.test(e.name)) continue;
    if (e.isDirectory()) out.push(...(await sourceFiles(join(dir, e.name), root)));
    else if (e.isFile()) out.push(relative(root, join(dir, e.name)));
  }
  return out;
}

/** Checks the module and puts its source in the artifact store; returns the `s3://` folder. */
async function uploadSource(input: NodeTestInput, s: AwsStep, bucket: string, io: StepIO): Promise<string> {
  const { module } = input.ctx;
  if (!/^[\w-]+$/.test(module.name)) throw new UserError(`module.name ${JSON.stringify(module.name)} is not a module name`, 'module.name', 'use the name insmod knows, e.g. kbug');
  const dir = resolveInputPath(module.source);
  if (!existsSync(join(dir, 'Makefile')) && !existsSync(join(dir, 'Kbuild'))) {
    throw new UserError(`module.source ${dir} has no Makefile or Kbuild: it is not an out-of-tree module`, 'module.source', 'point module.source at the directory holding the module Makefile (obj-m := <name>.o)');
  }
  const folder = `${input.ctx.cycleId}/node-test/module`;
  const files = await sourceFiles(dir);
  for (const rel of files) await s.artifacts.putFile(`${folder}/${rel}`, join(dir, rel));
  io.progress({ message: `module source: ${files.length} file(s) to s3://${bucket}/artifacts/${folder}/` });
  return `s3://${bucket}/artifacts/${folder}/`;
}

/** A failure before the tests ran: the user's module or settings, said with the node's words. */
function setupFailure(f: NonNullable<NodeTestPrinted['failure']>, input: NodeTestInput, instance: string): UserError {
  const { module } = input.ctx;
  if (f.part === 'build-failed') {
    return new UserError(`module ${module.name} does not build against kernel ${input.kernel.kernelRelease} on ${instance}:\n${firstCompilerError(f.text)}`, 'module.source', 'fix the compile errors in the module source');
  }
  if (f.part === 'tools-failed') {
    return new UserError(`the node ${instance} has no make/gcc and could not install them: ${f.text.slice(0, 500)}`, 'RCDEBUG_AWS_NODE_SUBNET', 'give the subnet a route to the distribution repositories (NAT), or bake make and gcc into the image');
  }
  return new UserError(`the node ${instance} could not fetch the module source from S3: ${f.text.slice(0, 500)}`, 'RCDEBUG_AWS_NODE_INSTANCE_PROFILE', 'give the instance profile s3:GetObject and s3:ListBucket on the artifacts bucket');
}

export async function awsNodeTest(input: NodeTestInput, io: StepIO, deps: AwsDeps): Promise<NodeTestOutput> {
  const { ctx, node, kernel } = input;
  return withStep(ctx, deps, async (s) => {
    const bucket = requireBucket(deps.options);
    const instance = node.node.details?.instanceId ?? node.node.name;
    const source = await uploadSource(input, s, bucket, io);
    const waitSeconds = deps.options.kmemleakWaitSeconds;
    // Two test bounds (KUnit at load, the command), the build, the scan and a margin: the agent's bound.
    const executionTimeoutSeconds = 2 * input.timeoutSeconds + BUILD_SECONDS + waitSeconds + 300;
    const output = { bucket, prefix: `artifacts/${ctx.cycleId}/node-test/ssm` };
    const commands = nodeTestScript({
      source, moduleName: ctx.module.name, moduleParams: input.moduleParams, testCommand: input.testCommand,
      timeoutSeconds: input.timeoutSeconds, buildSeconds: BUILD_SECONDS, kmemleakWaitSeconds: waitSeconds, token: `${Date.now().toString(36)}-${io.attempt}`,
    });
    const commandId = await sendShellCommand(s.clients, { instanceIds: [instance], commands, comment: `rcdebug node test ${ctx.cycleId}`, executionTimeoutSeconds, output });
    // Past the agent's bound (plus delivery and a margin) the step stops waiting: the command is cancelled, the test failed.
    const deadline = Date.now() + (executionTimeoutSeconds + 600 + 120) * 1000;
    const inv = await waitForInvocation(s.clients, commandId, instance, { io, pollMs: deps.pollMs ?? 5_000, deadline, what: 'node test' });
    if (!inv) {
      const why = await cancelCommand(s.clients, commandId, [instance]);
      io.progress({ message: `node test past its bound: ${why ?? `command ${commandId} cancelled`}` });
    }
    const stdout = (await commandStdout(s.clients, output, inv ?? { CommandId: commandId, InstanceId: instance })) ?? inv?.StandardOutputContent ?? '';
    const printed = readNodeTestOutput(stdout);
    if (printed.failure) throw setupFailure(printed.failure, input, instance);
    if (printed.uname && printed.uname !== kernel.kernelRelease) {
      throw new InfraError(`the node ${instance} runs kernel ${printed.uname}, not the debug kernel ${kernel.kernelRelease}: the debug AMI ${node.node.details?.imageId ?? ''} does not boot it`);
    }
    const status = inv ? `${inv.Status ?? '?'}${inv.StatusDetails && inv.StatusDetails !== inv.Status ? ` (${inv.StatusDetails})` : ''}` : 'still running past its bound, cancelled';
    const timedOut = !inv || inv.Status === 'TimedOut' || inv.StatusDetails === 'ExecutionTimedOut' || inv.StatusDetails === 'DeliveryTimedOut';
    // A run cut short left no kernel log of its own: the EC2 console tells what happened.
    const log = printed.complete ? printed.dmesg : `${printed.dmesg}\n${await consoleText(s.clients, instance)}`;
    const panic = panicLine(log);
    // The kernel log of the tests from their start (consoleOffset 0), the kmemleak report after it.
    const consoleRef = await s.artifacts.putText(`${ctx.cycleId}/node-test/${instance}/dmesg.log`, `${log}\n${printed.kmemleak ? `kmemleak:\n${printed.kmemleak}\n` : ''}`);
    const out: NodeTestOutput = { ktap: printed.ktap || ktapFromLog(log), console: consoleRef, consoleOffset: 0 };
    // `timeout` exits 124, or 137 when it had to kill.
    const killed = (code: number) => code === 124 || code === 137;
    if (printed.load) out.loadError = killed(printed.load.exitCode) ? `insmod did not return within ${input.timeoutSeconds} s (the KUnit suites run during the load)` : printed.load.text || `exit status ${printed.load.exitCode}`;
    if (input.testCommand && printed.command) {
      out.command = { exitCode: printed.command.exitCode, timedOut: killed(printed.command.exitCode), output: printed.command.output.slice(-RESULT_OUTPUT_CHARS) };
    } else if (input.testCommand && !printed.load) {
      out.command = { exitCode: null, timedOut: timedOut || (!printed.complete && !panic), output: `the test command did not finish: SSM command ${commandId} ${status}${panic ? `; the kernel died: ${panic}` : ''}` };
    }
    if (panic) out.panic = panic;
    else if (timedOut || !printed.complete || killed(printed.load?.exitCode ?? 0) || out.command?.timedOut) out.timedOut = true;
    io.progress({ message: `node test on ${instance}: ${status}${panic ? `, panic: ${panic}` : ''}` });
    return out;
  });
}
