/**
 * soak-check, for every cloud: one health check of the soak. The common part is here: a panic
 * on a node's console ends the soak as a finding (never an error), a node's state gives its
 * health, the console's growth since the last check shows it is alive, and a kmemleak double
 * scan runs on the healthy nodes when the workflow asks for one, after which the consoles are
 * read once more (a scan may be the last thing a dying kernel does). A cloud supplies only how
 * it reads a node's console and state and how it runs a scan.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NodeHealth, NodeInfo, SoakCheckInput, SoakCheckOutput, StepIO } from '../../src/domain/contract';
import { InfraError } from '../../src/domain/errors';
import { panicLine } from '../../src/domain/findings/index';

/** What a cloud knows of a node that showed no panic. */
export interface NodeState {
  /** False when the node is gone: its VM process exited, its instance was terminated. */
  up: boolean;
  /** Up and working: its agent answers, Kubernetes calls it Ready on the debug kernel. */
  healthy: boolean;
  /** One line for the operator: `up 412 s`, `Ready, kernel 6.1.119`, `instance i-1 is terminated`. */
  detail: string;
}

/** What a cloud supplies to the soak check. */
export interface SoakNodes {
  /** A node's console output so far (or its latest part, when that is all the cloud keeps); '' when it has none. */
  console(node: NodeInfo): Promise<string>;
  /** The state of these nodes, by name; called once per check so a cloud can batch its API calls. */
  states(nodes: NodeInfo[], io: StepIO): Promise<Map<string, NodeState>>;
  /** A kmemleak double scan (scan, wait, scan) on these nodes; a one-line summary per node name. */
  scan(nodes: NodeInfo[], io: StepIO): Promise<Map<string, string>>;
  /**
   * What a node gone without a panic on its console means: `infra-error` when the check must be
   * retried (a VM process that died under us), `ends-soak` when the cloud may replace a node
   * whose console went with it (a node group), so the loss is reported as the end of the soak.
   */
  lostNode: 'infra-error' | 'ends-soak';
  /** Worker folder where each node's console size is kept between checks. */
  marksDir: string;
}

/** One soak health check over a cloud's nodes. */
export async function checkSoak(input: SoakCheckInput, io: StepIO, cloud: SoakNodes): Promise<SoakCheckOutput> {
  const { ctx, cluster } = input;
  const health = new Map<string, NodeHealth>();
  const texts = await Promise.all(cluster.nodes.map((n) => cloud.console(n)));
  const live: NodeInfo[] = [];
  for (const [i, node] of cluster.nodes.entries()) {
    const line = panicLine(texts[i] ?? '');
    if (line) health.set(node.name, panicked(node.name, line));
    else live.push(node);
  }
  const states = live.length > 0 ? await cloud.states(live, io) : new Map<string, NodeState>();
  const lost: NodeHealth[] = [];
  const scanned: NodeInfo[] = [];
  for (const [i, node] of cluster.nodes.entries()) {
    if (health.has(node.name)) continue;
    const state = states.get(node.name) ?? { up: false, healthy: false, detail: 'its cloud does not know it any more' };
    if (!state.up) {
      const h = { name: node.name, healthy: false, panicked: cloud.lostNode === 'ends-soak', detail: `node lost: ${state.detail}` };
      health.set(node.name, h);
      lost.push(h);
      continue;
    }
    const growth = await consoleGrowth(cloud.marksDir, node.name, Buffer.byteLength(texts[i] ?? ''));
    health.set(node.name, { name: node.name, healthy: state.healthy, panicked: false, detail: `${state.detail}, console +${growth} B` });
    if (state.healthy) scanned.push(node);
  }
  if (lost.length > 0 && cloud.lostNode === 'infra-error') {
    throw new InfraError(`node ${lost.map((n) => n.name).join(', ')} of ${ctx.cycleId} stopped without a kernel panic: ${lost.map((n) => n.detail).join('; ')}`);
  }
  if (input.scan && scanned.length > 0) {
    io.progress({ message: `check ${input.tick}: kmemleak double scan on ${scanned.map((n) => n.name).join(', ')}` });
    const summaries = await cloud.scan(scanned, io);
    for (const node of scanned) {
      const h = health.get(node.name);
      const summary = summaries.get(node.name);
      if (h && summary !== undefined) h.detail += `, kmemleak: ${summary}`;
      const late = panicLine(await cloud.console(node));
      if (late) health.set(node.name, panicked(node.name, late));
    }
  }
  const nodes = cluster.nodes.map((n) => health.get(n.name)!);
  return { nodes, panicked: nodes.some((n) => n.panicked) };
}

function panicked(name: string, line: string): NodeHealth {
  return { name, healthy: false, panicked: true, detail: `kernel panic: ${line}` };
}

/** Bytes the console grew since the previous check of this node. */
async function consoleGrowth(marksDir: string, node: string, size: number): Promise<number> {
  await mkdir(marksDir, { recursive: true });
  const mark = join(marksDir, `${node}.console-size`);
  const before = Number(await readFile(mark, 'utf8').catch(() => '0')) || 0;
  await writeFile(mark, String(size));
  return size - before;
}
