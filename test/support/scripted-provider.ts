/**
 * A provider for engine tests: every step succeeds instantly with outputs of the right shape,
 * unless the script injects a fault (a UserError or InfraError on chosen calls, a delay, a
 * panic during soak). It records every call, in memory and optionally in a JSON-lines file
 * (for tests whose worker runs in another process).
 */
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkSoak, pieceOf, type SoakNodes } from '../../activities/steps/soak-check';
import type { CloudName, CloudProvider, SoakCheckInput, SoakCheckOutput, StepContext, StepIO, StepName } from '../../src/domain/contract';
import { InfraError, UserError } from '../../src/domain/errors';

export type ScriptedStep = Exclude<StepName, 'soak'> | 'soakCheck';

export interface StepScript {
  /** Outcome of the first calls in order: `user`, `infra` or `ok`; later calls succeed. */
  fail?: Array<'user' | 'infra' | 'ok'>;
  /** Milliseconds each call takes (cancellation cuts it short). */
  delayMs?: number;
}

export interface Call {
  step: ScriptedStep;
  attempt: number;
  at: number;
  /** For soakCheck: the tick and whether a scan was asked. */
  tick?: number;
  scan?: boolean;
}

export interface ScriptedProviderOptions {
  cloud?: CloudName;
  script?: Partial<Record<ScriptedStep, StepScript>>;
  /** soakCheck reports a panic on this tick. */
  panicAtTick?: number;
  /**
   * Console output of each node, appended before the soak check of that tick (1-based); with
   * it, soakCheck is the real common soak check over these consoles (the parse, the resume
   * marks, the findings), every node up and healthy.
   */
  consoles?: Record<string, Record<number, string>>;
  /** log-harvest reports these new findings (verdict `findings`); a function chooses them per cycle. */
  newFindings?: string[] | ((ctx: StepContext) => string[]);
  /** Append each call as a JSON line here. */
  recordFile?: string;
  /**
   * The soak check of this tick waits until `open` settles (reporting progress meanwhile), so a
   * test can hold the soak until it has seen what the earlier checks reported.
   */
  soakGate?: { tick: number; open: Promise<void> };
}

/** Waits for `open`, reporting progress every 200 ms; cancellation ends the wait. */
async function gate(open: Promise<void>, io: StepIO): Promise<void> {
  let opened = false;
  void open.then(() => (opened = true));
  while (!opened) {
    io.progress({ message: 'soak check held by the test' });
    await pause(200, io.signal);
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      reject(signal.reason);
    }, { once: true });
  });
}

export function scriptedProvider(opts: ScriptedProviderOptions = {}): CloudProvider & { calls: Call[] } {
  const calls: Call[] = [];
  const counts = new Map<ScriptedStep, number>();
  const cloud = opts.cloud ?? 'local';
  /** Each cycle's soak marks, by cycle id; its teardown removes them. */
  const marksDirs = new Map<string, string>();

  const enter = async (step: ScriptedStep, io: StepIO, extra: Partial<Call> = {}) => {
    const call: Call = { step, attempt: io.attempt, at: Date.now(), ...extra };
    calls.push(call);
    if (opts.recordFile) appendFileSync(opts.recordFile, `${JSON.stringify(call)}\n`);
    const n = counts.get(step) ?? 0;
    counts.set(step, n + 1);
    const s = opts.script?.[step];
    if (s?.delayMs) {
      const slice = 200;
      for (let waited = 0; waited < s.delayMs; waited += slice) {
        io.progress({ message: `${step} working`, done: waited, total: s.delayMs });
        await pause(Math.min(slice, s.delayMs - waited), io.signal);
      }
    }
    const outcome = s?.fail?.[n];
    if (outcome === 'user') throw new UserError(`injected user error in ${step} (call ${n + 1})`, step, 'fix the injected input');
    if (outcome === 'infra') throw new InfraError(`injected infrastructure error in ${step} (call ${n + 1})`);
  };

  const provider: CloudProvider & { calls: Call[] } = {
    cloud,
    calls,
    async kernelBuild({ ctx }, io) {
      await enter('kernel-build', io);
      return {
        digest: `kd-${ctx.flavor}`,
        kernelRelease: '6.1.0-test',
        configDigest: 'cd-1',
        cacheHit: false,
        artifacts: { kernel: 'file:///k', log: 'file:///log', reproducer: 'file:///repro.sh', config: 'file:///config' },
      };
    },
    async imageBake({ kernel }, io) {
      await enter('image-bake', io);
      return { imageId: `img-${kernel.digest}`, digest: `id-${kernel.digest}`, cacheHit: false, artifacts: {} };
    },
    async versionPublish({ ctx, kernel, image }, io) {
      await enter('version-publish', io);
      const base = `/rcdebug/${ctx.cloud}/${ctx.flavor}`;
      return { paths: [`${base}/${kernel.kernelRelease}/${image.digest}/image-id`], latest: `${base}/latest`, rcPointer: `/rcdebug/rc/${ctx.rc}/${ctx.cloud}/${ctx.flavor}` };
    },
    async clusterProvision({ ctx }, io) {
      await enter('cluster-provision', io);
      const names = opts.consoles ? Object.keys(opts.consoles) : ['node-a'];
      return { clusterId: `cl-${ctx.cycleId}`, nodes: names.map((name) => ({ name, console: `file:///${name}.log` })), details: {} };
    },
    async deploy(_input, io) {
      await enter('deploy', io);
      return { releases: ['node-a: kbug bug=none'] };
    },
    async soakCheck(input, io) {
      const { tick, scan } = input;
      await enter('soakCheck', io, { tick, scan });
      if (opts.soakGate?.tick === tick) await gate(opts.soakGate.open, io);
      if (opts.consoles) {
        const id = input.ctx.cycleId;
        if (!marksDirs.has(id)) marksDirs.set(id, mkdtempSync(join(tmpdir(), 'rcdebug-scripted-soak-')));
        return scriptedConsoles(opts.consoles, input, io, marksDirs.get(id) as string);
      }
      const panicked = opts.panicAtTick === tick;
      return { nodes: [{ name: 'node-a', healthy: !panicked, panicked, detail: panicked ? 'Kernel panic' : 'ok' }], panicked };
    },
    async logHarvest({ ctx }, io) {
      await enter('log-harvest', io);
      const titles = typeof opts.newFindings === 'function' ? opts.newFindings(ctx) : (opts.newFindings ?? []);
      return {
        verdict: titles.length ? 'findings' : 'clean',
        counts: { new: titles.length, known: 0, fixed: 0, total: titles.length },
        findings: titles.map((title) => ({ title, signature: title, status: 'new' as const, type: 'test', nodes: ['node-a'], count: 1 })),
        reports: { markdown: 'file:///r.md', json: 'file:///r.json', junit: 'file:///r.xml' },
        nodes: { 'node-a': 'clean' },
      };
    },
    async teardown({ ctx }, io) {
      await enter('teardown', io);
      const marks = marksDirs.get(ctx.cycleId);
      if (marks) rmSync(marks, { recursive: true, force: true });
      marksDirs.delete(ctx.cycleId);
      return { removed: ['node-a'] };
    },
  };
  return provider;
}

/** The scripted nodes' consoles as they stand at each tick (what was appended up to it). */
function consoleAt(script: Record<number, string>, tick: number): string {
  return Object.entries(script).filter(([t]) => Number(t) <= tick).sort(([a], [b]) => Number(a) - Number(b)).map(([, text]) => text).join('');
}

/** The common soak check over scripted consoles. */
function scriptedConsoles(consoles: Record<string, Record<number, string>>, input: SoakCheckInput, io: StepIO, marksDir: string): Promise<SoakCheckOutput> {
  const nodes: SoakNodes = {
    console: async (node, from) => pieceOf(consoleAt(consoles[node.name] ?? {}, input.tick), from),
    states: async (list) => new Map(list.map((n) => [n.name, { up: true, healthy: true, detail: 'scripted' }])),
    scan: async () => new Map(),
    lostNode: 'infra-error',
    marksDir,
    settleMs: 10,
  };
  return checkSoak(input, io, nodes);
}

/** Steps called, in order, without soak checks. */
export function stepsCalled(calls: Call[]): ScriptedStep[] {
  return calls.filter((c) => c.step !== 'soakCheck').map((c) => c.step);
}
