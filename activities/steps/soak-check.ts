/**
 * soak-check, for every cloud: one health check of the soak. The common part is here: a panic
 * on a node's console ends the soak as a finding (never an error), a node's state gives its
 * health, the console's growth since the last check shows it is alive, and a kmemleak double
 * scan runs on the healthy nodes when the workflow asks for one, after which the consoles are
 * read once more (a scan may be the last thing a dying kernel does). Then the console output
 * that arrived since the previous check is parsed, from where that check stopped (the workflow
 * keeps the offsets), and the reports in it are returned as findings against the baseline. A
 * cloud supplies only how it reads a node's console and state and how it runs a scan.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConsoleMark, NodeHealth, NodeInfo, SoakCheckInput, SoakCheckOutput, StepIO } from '../../src/domain/contract';
import { InfraError } from '../../src/domain/errors';
import { CONSOLE_START, FindingsAccumulator, loadBaseline, panicLine, scanConsolePiece, toSummary, type KernelReport } from '../../src/domain/findings/index';
import { resolveInputPath } from '../../src/domain/paths';

/** A node's console from a byte offset on. */
export interface ConsolePiece {
  /** The console's bytes from `start` to its end. */
  bytes: Buffer;
  /**
   * Where `bytes` starts in the console: the offset asked for; 0 when the console is shorter
   * than that (it was replaced); past it when the cloud no longer has the output between.
   */
  start: number;
}

/** The piece of a console held whole in memory (a cloud that gets the whole text each time) from `from` on. */
export function pieceOf(whole: string | Buffer, from: number): ConsolePiece {
  const bytes = typeof whole === 'string' ? Buffer.from(whole) : whole;
  return bytes.length < from ? { bytes, start: 0 } : { bytes: bytes.subarray(from), start: from };
}

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
  /** A node's console output from byte `from` on (see ConsolePiece); empty when it has none. */
  console(node: NodeInfo, from: number): Promise<ConsolePiece>;
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
  /** Milliseconds to wait for a report the console is printing to keep its title (tests shorten it). */
  settleMs?: number | undefined;
}

/** How long a report at a console's end must keep its title to count as printed (SoakNodes.settleMs). */
export const SETTLE_MS = 1_500;

/** One soak health check over a cloud's nodes. */
export async function checkSoak(input: SoakCheckInput, io: StepIO, cloud: SoakNodes): Promise<SoakCheckOutput> {
  const { ctx, cluster } = input;
  const health = new Map<string, NodeHealth>();
  const marks = (node: NodeInfo) => input.consoles?.[node.name] ?? CONSOLE_START;
  const read = (node: NodeInfo) => cloud.console(node, marks(node).offset);
  const pieces = await Promise.all(cluster.nodes.map(read));
  const live: NodeInfo[] = [];
  for (const [i, node] of cluster.nodes.entries()) {
    // A node that died at an earlier check stays dead: its VM is gone, which is no loss to retry.
    const died = input.dead?.[node.name];
    const line = panicLine(pieces[i]!.bytes.toString('utf8'));
    if (died !== undefined) health.set(node.name, { name: node.name, healthy: false, panicked: true, detail: died });
    else if (line) health.set(node.name, panicked(node.name, line));
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
    const growth = await consoleGrowth(cloud.marksDir, node.name, pieces[i]!.start + pieces[i]!.bytes.length);
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
      const i = cluster.nodes.indexOf(node);
      pieces[i] = await read(node);
      const late = panicLine(pieces[i]!.bytes.toString('utf8'));
      if (late) health.set(node.name, panicked(node.name, late));
    }
  }
  const nodes = cluster.nodes.map((n) => health.get(n.name)!);
  return { nodes, panicked: nodes.some((n) => n.panicked), ...(await liveFindings(input, cloud, pieces, marks)) };
}

/** Rounds a check waits for a report the console is still printing, each of SoakNodes.settleMs. */
const SETTLE_ROUNDS = 3;

/**
 * Parses each node's new console output from its mark; the reports in it as findings against
 * the baseline. A report still open at the end (its quiet tail has not gone by) is returned
 * once its title stays the same over a short wait (a kernel prints a report in a burst; the
 * lines that name it come first), a few rounds at most; otherwise by the next check.
 */
async function liveFindings(
  input: SoakCheckInput,
  cloud: SoakNodes,
  pieces: ConsolePiece[],
  marks: (n: NodeInfo) => ConsoleMark,
): Promise<Pick<SoakCheckOutput, 'consoles' | 'findings'>> {
  const { ctx, cluster } = input;
  const consoles: Record<string, ConsoleMark> = {};
  // By node, in the cluster's order, so a finding lists its nodes the same way every time.
  const byNode: KernelReport[][] = cluster.nodes.map(() => []);
  await Promise.all(cluster.nodes.map(async (node, i) => {
    let piece = pieces[i]!;
    let scanned = scanConsolePiece(piece.bytes, piece.start, marks(node));
    for (let round = 0; scanned.pending.length > 0 && round < SETTLE_ROUNDS; round++) {
      await new Promise((r) => setTimeout(r, cloud.settleMs ?? SETTLE_MS));
      const before = new Map(scanned.pending.map((r) => [r.offset, r.report.title]));
      piece = await cloud.console(node, marks(node).offset);
      scanned = scanConsolePiece(piece.bytes, piece.start, marks(node), (r) => before.get(r.offset) === r.report.title);
    }
    consoles[node.name] = scanned.mark;
    byNode[i] = scanned.reports.map((r) => r.report);
  }));
  if (byNode.every((reports) => reports.length === 0)) return { consoles, findings: [] };
  const acc = new FindingsAccumulator(ctx.baseline ? await loadBaseline(resolveInputPath(ctx.baseline)) : []);
  for (const [i, node] of cluster.nodes.entries()) {
    for (const report of byNode[i]!) acc.add(report, { path: `${node.name} console`, node: node.name, cloud: ctx.cloud });
  }
  // The accumulator also lists the baseline's issues no report showed: those are not findings of this check.
  const findings = acc.findings().filter((f) => f.count > 0).map(toSummary);
  return { consoles, findings };
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
