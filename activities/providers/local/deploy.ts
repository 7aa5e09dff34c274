import type { DeployInput, DeployOutput, StepIO } from '../../../src/domain/contract';
import { InfraError, UserError } from '../../../src/domain/errors';
import type { LocalDeps } from './deps';
import { GuestCommandError, guestCommand } from './guest-channel';
import { clusterPlan, releaseLine, type NodePlan } from './node-plan';
import { consolePath } from './cluster-provision';
import { readFrom } from './qemu';
import { panicLine } from '../../../src/domain/findings/index';
import { vmPaths } from './vm-state';

/** insmod of a debug kernel module under TCG, KASAN reports included, can take a while. */
const LOAD_TIMEOUT_MS = 180_000;
const WORKLOAD_TIMEOUT_MS = 60_000;

/** The agent's `workload start` line for a node. */
export function workloadCommand(node: NodePlan): string {
  const w = node.workload;
  return ['workload start', `network=${w.network ? 1 : 0}`, ...(w.trigger ? [`trigger=${w.trigger}`, `interval=${w.intervalSeconds}`] : [])].join(' ');
}

/**
 * deploy (local): on every node, loads the manifest's modules with their parameters through the
 * guest agent, then starts the workload (loopback traffic, periodic module triggers). Loading
 * an already loaded module succeeds, so a retry converges. A module the guest refuses is a
 * UserError naming the manifest field.
 */
export async function localDeploy(input: DeployInput, io: StepIO, deps: LocalDeps): Promise<DeployOutput> {
  const { ctx, cluster } = input;
  const plan = await clusterPlan(ctx);
  const known = new Set(cluster.nodes.map((n) => n.name));
  const missing = plan.nodes.filter((n) => !known.has(n.name)).map((n) => n.name);
  if (missing.length > 0) {
    throw new InfraError(`the cluster has no VM for ${missing.join(', ')}: the manifest changed since cluster-provision; rerun it`);
  }
  const dead: Record<string, string> = {};
  const perNode = await Promise.all(
    plan.nodes.map(async (node, i) => {
      const socket = vmPaths(deps, ctx.cycleId, node.name).socket;
      const releases: string[] = [];
      try {
        for (const [j, m] of node.modules.entries()) {
          io.progress({ message: `${node.name}: loading ${m.name}` });
          releases.push(releaseLine(node.name, m));
          await send(socket, ['load', m.name, ...m.params].join(' '), LOAD_TIMEOUT_MS, io, `local.nodes[${i}].modules[${j}]`, node.name);
        }
        io.progress({ message: `${node.name}: starting the workload` });
        await send(socket, workloadCommand(node), WORKLOAD_TIMEOUT_MS, io, `local.nodes[${i}].workload`, node.name);
      } catch (err) {
        // onKernelError "panic": a module whose bug panics the kernel at load kills its node;
        // that is the finding the soak records, not a failed deploy.
        const line = ctx.onKernelError === 'panic' ? panicLine(await readFrom(consolePath(deps, ctx.cycleId, node.name), 0)) : undefined;
        if (line === undefined) throw err;
        dead[node.name] = `kernel panic: ${line}`;
        io.progress({ message: `${node.name}: its kernel panicked while loading: ${line}` });
      }
      return releases;
    }),
  );
  return { releases: perNode.flat(), ...(Object.keys(dead).length ? { dead } : {}) };
}

async function send(socket: string, command: string, timeoutMs: number, io: StepIO, field: string, node: string): Promise<string> {
  try {
    return await guestCommand(socket, command, { timeoutMs, io });
  } catch (err) {
    if (err instanceof GuestCommandError) {
      throw new UserError(`${node}: ${err.reply}`, field, 'check the module name, its parameters and the workload in the manifest');
    }
    throw err;
  }
}
