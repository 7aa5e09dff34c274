/**
 * validateMain's single node on the local cloud: one qemu VM booted as cluster-provision boots
 * a cycle's nodes, the module loaded through the guest agent (its KUnit suites run at load and
 * print KTAP on the console), the test command run by the agent under its timeout, a kmemleak
 * double scan, and the VM stopped at the end.
 */
import { fileURLToPath } from 'node:url';
import type { StepIO } from '../../../src/domain/contract';
import { InfraError, isInfraError } from '../../../src/domain/errors';
import { panicLine } from '../../../src/domain/findings/index';
import type { NodeBootInput, NodeBootOutput, NodeReportInput, NodeTestInput, NodeTestOutput, NodeTeardownInput, SingleNodeSteps, ValidateRunResult } from '../../../src/domain/validate';
import { join } from 'node:path';
import { validateReport } from '../../steps/validate-report';
import { handBootLines } from './log-harvest';
import { cycleStateDir, safeId } from './vm-state';
import { provisionNodes } from './cluster-provision';
import type { LocalDeps } from './deps';
import { GuestCommandError, guestCommand } from './guest-channel';
import { DEFAULT_MEMORY_MIB } from './node-plan';
import { fileSize, readFrom } from './qemu';
import { localTeardown } from './teardown';

/** The one node's name. */
export const VALIDATE_NODE = 'validate';
/** vCPUs of the node: two, so the module's concurrent paths can race as on the users' machines. */
const VALIDATE_CPUS = 2;
/**
 * KUnit is built into every flavor but off at boot (CONFIG_KUNIT_DEFAULT_ENABLED is not set,
 * so a soak never runs tests): the validation node turns it on, and the module's suites run
 * when it loads.
 */
export const KUNIT_ARGS = ['kunit.enable=1'];
/** What the scan and the channel get beyond the test timeout. */
const SCAN_TIMEOUT_MS = 180_000;
const REPLY_GRACE_MS = 30_000;

/** nodeBoot (local): one VM from the run's kernel and image; the cluster's details ride on the node. */
export async function localNodeBoot(input: NodeBootInput, io: StepIO, deps: LocalDeps): Promise<NodeBootOutput> {
  const plan = { memoryMiB: DEFAULT_MEMORY_MIB, cpus: VALIDATE_CPUS, nodes: [{ name: VALIDATE_NODE, modules: [], workload: { network: false, intervalSeconds: 0 } }] };
  const cluster = await provisionNodes({ ctx: input.ctx, kernel: input.kernel, image: input.image }, plan, io, deps, KUNIT_ARGS);
  const node = cluster.nodes[0]!;
  return { node: { ...node, details: { ...cluster.details, ...node.details } } };
}

/** How a guest command ended: its reply, or why there was none (a panic, a dead channel). */
async function ask(socket: string, command: string, timeoutMs: number, io: StepIO): Promise<{ reply?: string; refused?: string; lost?: string }> {
  try {
    return { reply: await guestCommand(socket, command, { timeoutMs, io }) };
  } catch (err) {
    if (err instanceof GuestCommandError) return { refused: err.reply };
    if (isInfraError(err)) return { lost: err.message };
    throw err;
  }
}

/**
 * nodeTest (local): loads the module (the KUnit suites run during the load), runs the test
 * command bounded by what is left of the timeout, scans for leaks, and returns the console
 * written meanwhile. A guest that stops answering is judged from its console: a panic is the
 * result, anything else past the timeout is a timeout.
 */
export async function localNodeTest(input: NodeTestInput, io: StepIO, _deps: LocalDeps): Promise<NodeTestOutput> {
  const { ctx, node } = input;
  const socket = node.node.details?.socket;
  if (!socket) throw new InfraError(`node ${node.node.name} has no control socket: boot it again (nodeBoot)`);
  const consoleFile = fileURLToPath(node.node.console);
  const offset = await fileSize(consoleFile);
  const deadline = Date.now() + input.timeoutSeconds * 1000;
  const left = () => Math.max(1, Math.round((deadline - Date.now()) / 1000));
  const out: Omit<NodeTestOutput, 'ktap'> = { console: node.node.console };
  const params = input.moduleParams?.trim() ?? '';
  io.progress({ message: `loading ${ctx.module.name} (its KUnit suites run now)` });
  const load = await ask(socket, `load ${ctx.module.name}${params ? ` ${params}` : ''}`, input.timeoutSeconds * 1000, io);
  if (load.refused) out.loadError = load.refused;
  let alive = load.lost === undefined;
  if (alive && input.testCommand) {
    io.progress({ message: `running the test command (at most ${left()} s)` });
    const run = await ask(socket, `run ${left()} ${input.testCommand}`, left() * 1000 + REPLY_GRACE_MS, io);
    const text = await readFrom(consoleFile, offset);
    const output = commandOutput(text);
    if (run.reply) {
      const m = /^(exit|timeout) (\d+)$/.exec(run.reply);
      out.command = { exitCode: m ? Number(m[2]) : null, timedOut: m?.[1] === 'timeout', output };
    } else {
      out.command = { exitCode: null, timedOut: run.lost !== undefined && !panicLine(text), output: run.refused ?? output };
      alive = run.lost === undefined;
    }
  }
  if (alive) {
    io.progress({ message: 'kmemleak double scan' });
    const scan = await ask(socket, 'scan', SCAN_TIMEOUT_MS, io);
    alive = scan.lost === undefined;
  }
  const text = await readFrom(consoleFile, offset);
  const panic = panicLine(text);
  if (panic) out.panic = panic;
  else if (!alive || Date.now() > deadline) out.timedOut = true;
  return { ktap: text, consoleOffset: offset, ...out };
}

/** The test command's output from the console: its `rcdebug-test: ` lines. */
function commandOutput(text: string): string {
  return text
    .split('\n')
    .filter((l) => l.includes('rcdebug-test: '))
    .map((l) => l.slice(l.indexOf('rcdebug-test: ') + 'rcdebug-test: '.length))
    .join('\n');
}

/** nodeTeardown (local): the run's VM stopped; nothing to do when it is already gone. */
export async function localNodeTeardown(input: NodeTeardownInput, io: StepIO, deps: LocalDeps) {
  return localTeardown({ ctx: input.ctx }, io, deps);
}

/** nodeReport (local): the shared report over the local artifact store, with the hand-boot reproducer. */
export async function localNodeReport(input: NodeReportInput, io: StepIO, deps: LocalDeps): Promise<ValidateRunResult> {
  const { ctx } = input;
  const params = input.moduleParams?.trim() ?? '';
  const commands = [
    ...handBootLines(input.node.node.details),
    '# then, in the guest: loading the module runs its KUnit suites',
    `insmod $(find / -xdev -name ${ctx.module.name}.ko)${params ? ` ${params}` : ''}`,
    ...(input.testCommand ? [input.testCommand] : []),
    '# kmemleak double scan: echo scan > /sys/kernel/debug/kmemleak; sleep 5; echo scan > /sys/kernel/debug/kmemleak; cat /sys/kernel/debug/kmemleak',
  ];
  return validateReport(input, io, { artifacts: deps.artifacts, base: safeId(ctx.cycleId), workDir: join(cycleStateDir(deps, ctx.cycleId), 'report'), commands });
}

/** The local cloud's single-node steps. */
export function localSingleNode(deps: LocalDeps): SingleNodeSteps {
  return {
    nodeBoot: (input, io) => localNodeBoot(input, io, deps),
    nodeTest: (input, io) => localNodeTest(input, io, deps),
    nodeTeardown: (input, io) => localNodeTeardown(input, io, deps),
    nodeReport: (input, io) => localNodeReport(input, io, deps),
  };
}
