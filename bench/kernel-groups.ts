/**
 * What each group of the users' debug options costs on the local cloud: the kasan kernel built
 * whole and built without one group at a time (tracing; page poisoning with DEBUG_PAGEALLOC and
 * PAGE_OWNER; SLUB_DEBUG_ON), each from an empty ccache, then every kernel booted as one 2-vCPU
 * TCG node with kbug loaded and timed on a fixed piece of guest work (the agent's `exercise`:
 * fork, exec, pipes and page allocations, as the soak's workload does).
 *
 * Figures are ratios measured side by side in this run: build CPU time (user + system of make
 * and its children, which another process on the machine barely changes) and the guest work
 * of the whole kernel over the kernel without the group. The guest work is timed in rounds that
 * take the kernels in turn, so a change of machine load hits them alike.
 *
 * `npm run bench kernel-groups` (not in the default sections: four kernel builds, ~1 h on 2 cores).
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { localArtifactStore } from '../activities/artifacts/store';
import { localClusterProvision } from '../activities/providers/local/cluster-provision';
import { guestCommand } from '../activities/providers/local/guest-channel';
import { localImageBake } from '../activities/providers/local/image-bake';
import { localKernelBuild } from '../activities/providers/local/kernel-build';
import { DEFAULT_KERNEL_SOURCE, prepareKernelSource } from '../activities/providers/local/kernel-source';
import { localRegistry } from '../activities/providers/local/registry';
import { localTeardown } from '../activities/providers/local/teardown';
import type { LocalDeps } from '../activities/providers/local/deps';
import type { ClusterProvisionInput, ClusterProvisionOutput } from '../src/domain/contract';
import { EXERCISE, ROUNDS, benchContext, childCpuSeconds, median, quietIo } from './kernel-bench-kit';
import { cacheDir, repoRoot } from '../src/domain/paths';

interface Variant {
  name: string;
  /** Fragments of kernel/flavors/common/ left out. */
  drop: string[];
}

const VARIANTS: Variant[] = [
  { name: 'whole list', drop: [] },
  { name: 'without tracing', drop: ['tracing.config'] },
  { name: 'without page poisoning + DEBUG_PAGEALLOC + PAGE_OWNER', drop: ['page-debug.config'] },
  { name: 'without SLUB_DEBUG_ON', drop: ['slub-debug.config'] },
];

/** A copy of kernel/ without the variant's fragments, and without their options in options.list. */
function kernelDirFor(work: string, v: Variant, i: number): string {
  const dir = join(work, `kernel-${i}`);
  cpSync(join(repoRoot, 'kernel'), dir, { recursive: true });
  const dropped = new Set<string>();
  for (const f of v.drop) {
    const file = join(dir, 'flavors', 'common', f);
    for (const m of readFileSync(file, 'utf8').matchAll(/^(CONFIG_\w+)=/gm)) dropped.add(m[1] as string);
    rmSync(file);
  }
  const list = join(dir, 'options.list');
  writeFileSync(list, readFileSync(list, 'utf8').split('\n').filter((l) => !dropped.has(l.split('=')[0] ?? '')).join('\n'));
  return dir;
}


export async function benchKernelGroups(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'rcdebug-bench-groups-'));
  const tree = (await prepareKernelSource(DEFAULT_KERNEL_SOURCE, cacheDir())).root;
  const manifest = join(work, 'one-node.yaml');
  writeFileSync(manifest, 'local:\n  memoryMiB: 768\n  cpus: 2\n  nodes:\n    - name: node\n      modules:\n        - name: kbug\n          params: { bug: none }\n');
  const rows: Array<{ v: Variant; buildS: number; cpuS: number; bootS: number; work: number[]; boot: ClusterProvisionInput; deps: LocalDeps }> = [];
  let running: { input: ClusterProvisionInput; cluster: ClusterProvisionOutput; deps: LocalDeps } | undefined;
  try {
    for (const [i, v] of VARIANTS.entries()) {
      // Its own cache: an empty ccache, so each build compiles everything.
      const deps: LocalDeps = {
        artifacts: localArtifactStore(join(work, `state-${i}`, 'artifacts')),
        registry: localRegistry(join(work, `state-${i}`, 'registry')),
        stateDir: join(work, `state-${i}`, 'local'),
        cacheDir: join(work, `cache-${i}`),
        kernelSource: tree,
      };
      mkdirSync(deps.cacheDir, { recursive: true });
      const ctx = benchContext(`bench-groups-${i}`, manifest);
      const cpu0 = childCpuSeconds();
      const t0 = Date.now();
      const kernel = await localKernelBuild({ ctx }, quietIo, deps, { kernelDir: kernelDirFor(work, v, i) });
      const buildS = (Date.now() - t0) / 1000;
      const cpuS = childCpuSeconds() - cpu0;
      console.log(`  built ${v.name}: ${buildS.toFixed(0)} s wall, ${cpuS.toFixed(0)} s CPU`);
      const image = await localImageBake({ ctx, kernel }, quietIo, deps);
      rows.push({ v, buildS, cpuS, bootS: 0, work: [], boot: { ctx, kernel, image }, deps });
    }
    // One guest at a time, the kernels in turn in every round.
    for (let r = 0; r < ROUNDS; r++) {
      for (const row of rows) {
        const cluster = await localClusterProvision(row.boot, quietIo, row.deps);
        running = { input: row.boot, cluster, deps: row.deps };
        const ready = /rcdebug-guest: ready ([\d.]+)/.exec(readFileSync(fileURLToPath(cluster.nodes[0]?.console ?? ''), 'utf8'));
        if (r === 0) row.bootS = Number(ready?.[1]);
        const reply = await guestCommand(cluster.nodes[0]?.details?.socket ?? '', EXERCISE, { timeoutMs: 1_800_000, io: quietIo });
        row.work.push(Number(/seconds=([\d.]+)/.exec(reply)?.[1]));
        await localTeardown({ ctx: row.boot.ctx, cluster }, quietIo, row.deps);
        running = undefined;
      }
    }
    const whole = rows[0] as (typeof rows)[number];
    console.log(`kernel option groups (kasan flavor, local TCG, 2 vCPUs; guest work = \`${EXERCISE}\`, median of ${ROUNDS} rounds)`);
    console.log('  variant | build wall s | build CPU s | whole/variant CPU | guest uptime at ready s | guest work s | whole/variant work');
    for (const row of rows) {
      console.log(`  ${row.v.name} | ${row.buildS.toFixed(0)} | ${row.cpuS.toFixed(0)} | ${(whole.cpuS / row.cpuS).toFixed(2)} | ${row.bootS.toFixed(1)} | ${median(row.work).toFixed(2)} (${row.work.map((w) => w.toFixed(1)).join(', ')}) | ${(median(whole.work) / median(row.work)).toFixed(2)}`);
    }
  } finally {
    if (running) await localTeardown({ ctx: running.input.ctx, cluster: running.cluster }, quietIo, running.deps);
    if (!process.env.RCDEBUG_BENCH_KEEP) rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  benchKernelGroups().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
