/**
 * Local cloud benchmark.
 *
 * 1. The cold cycle (no kernel or image cache; soak 0) against bench/local-by-hand.sh, which
 *    does the same build, bake and boot by hand. Both compile through the machine's shared
 *    ccache and the same unpacked kernel tree, so the comparison measures rcdebug's overhead,
 *    not the compiler's luck; set RCDEBUG_BENCH_EMPTY_CCACHE=1 to give each side an empty
 *    ccache instead (two full kernel builds, ~10 min each on 2 cores). Target: ratio ≤ 1.05.
 * 2. The warm rerun (kernel and image from the cache) against the cold cycle, both outside the
 *    soak. Target: ≤ 5%.
 *
 * `npm run bench` runs it through bench/index.ts; `npx tsx bench/local.ts` runs it alone.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { createLocalProvider } from '../activities/providers/local/index';
import { DEFAULT_KERNEL_SOURCE, prepareKernelSource } from '../activities/providers/local/kernel-source';
import { localArtifactStore } from '../activities/artifacts/store';
import type { CloudCycleResult } from '../src/domain/cycle-state';
import { startDevServer } from '../src/app/dev-server';
import { runTool } from '../activities/exec/run-tool';
import { cacheDir, repoRoot } from '../src/domain/paths';
import { localRegistry } from '../activities/providers/local/registry';
import { createWorkers } from '../src/app/worker/create-workers';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export async function benchLocal(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'rcdebug-bench-local-'));
  const emptyCcache = process.env.RCDEBUG_BENCH_EMPTY_CCACHE === '1';
  const server = await startDevServer({ dbFile: join(work, 'temporal.db'), logFile: join(work, 'temporal.log'), uiPort: false });
  try {
    const tree = (await prepareKernelSource(DEFAULT_KERNEL_SOURCE, cacheDir())).root;
    const ccacheFor = (side: string) => {
      const dir = join(work, `ccache-${side}`);
      if (!emptyCcache) return join(cacheDir(), 'ccache');
      mkdirSync(dir, { recursive: true });
      return dir;
    };

    // By hand.
    const handDir = join(work, 'by-hand');
    mkdirSync(handDir, { recursive: true });
    let t0 = Date.now();
    await runTool({
      cmd: join(repoRoot, 'bench', 'local-by-hand.sh'),
      args: [tree, handDir, 'kasan'],
      env: { CCACHE_DIR: ccacheFor('hand') },
      logFile: join(work, 'by-hand.log'),
    });
    const byHand = Date.now() - t0;

    // The cycle, cold: a cache dir of its own (its ccache the shared one unless asked not to).
    const cycleCache = join(work, 'cache');
    mkdirSync(cycleCache, { recursive: true });
    symlinkSync(ccacheFor('cycle'), join(cycleCache, 'ccache'));
    const provider = createLocalProvider({
      artifacts: localArtifactStore(join(work, 'state', 'artifacts')),
      registry: localRegistry(join(work, 'state', 'registry')),
      stateDir: join(work, 'state', 'local'),
      cacheDir: cycleCache,
      kernelSource: tree,
    });
    const connection = await NativeConnection.connect({ address: server.address });
    const clientConn = await Connection.connect({ address: server.address });
    const client = new Client({ connection: clientConn, namespace: 'default' });
    const set = await createWorkers({ connection, namespace: 'default', taskQueue: 'bench-local', clouds: ['local'], providers: { local: provider } });
    const running = set.run();
    const cycle = async (id: string): Promise<{ ms: number; result: CloudCycleResult }> => {
      const start = Date.now();
      const handle = await client.workflow.start('rcCycle', {
        taskQueue: 'bench-local',
        workflowId: id,
        args: [{ rc: 'v0.0.0-bench', taskQueue: 'bench-local', clouds: ['local'], flavors: ['kasan'], soak: { durationSeconds: 0, checkIntervalSeconds: 15, scanIntervalSeconds: 0 }, operatorTimeoutSeconds: 5 }],
      });
      await handle.result();
      const result = (await client.workflow.getHandle(`${id}.local-kasan`).result()) as CloudCycleResult;
      if (result.error) throw new Error(`bench cycle ${id} failed: ${result.error}`);
      return { ms: Date.now() - start, result };
    };
    let cold: { ms: number; result: CloudCycleResult };
    let warm: { ms: number; result: CloudCycleResult };
    try {
      t0 = Date.now();
      cold = await cycle('bench-local-cold');
      warm = await cycle('bench-local-warm');
    } finally {
      set.shutdown();
      await running;
      await connection.close();
      await clientConn.close();
    }
    const steps = (r: CloudCycleResult) => r.steps.map((s) => `${s.name} ${seconds(s.durationMs ?? 0)}`).join(', ');
    const outsideSoak = (r: { ms: number; result: CloudCycleResult }) => r.ms - (r.result.steps.find((s) => s.name === 'soak')?.durationMs ?? 0);
    const ratio = cold.ms / byHand;
    const warmShare = outsideSoak(warm) / outsideSoak(cold);
    console.log('local cloud');
    console.log(`  ccache: ${emptyCcache ? 'empty for each side' : 'the shared one for both sides'}; soak 0; 3 nodes (manifests/local-demo.yaml)`);
    console.log(`  by hand (bench/local-by-hand.sh): ${seconds(byHand)}`);
    console.log(`  cold cycle: ${seconds(cold.ms)}  [${steps(cold.result)}]`);
    console.log(`  cold cycle / by hand: ${ratio.toFixed(3)} (target ≤ 1.05)${ratio <= 1.05 ? '' : '  MISSED'}`);
    console.log(`  warm rerun: ${seconds(warm.ms)}  [${steps(warm.result)}]`);
    console.log(`  warm rerun outside the soak / cold: ${(warmShare * 100).toFixed(1)}% (target ≤ 5%)${warmShare <= 0.05 ? '' : '  MISSED'}`);
  } finally {
    await server.stop();
    if (!process.env.RCDEBUG_BENCH_KEEP) rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  benchLocal().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
