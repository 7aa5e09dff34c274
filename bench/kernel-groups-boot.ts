/**
 * What the runtime-switchable option groups cost a local node, on ONE kasan kernel (the
 * machine's cached build): the same kernel and image booted with the groups on (the flavor's
 * boot arguments), with page poisoning + DEBUG_PAGEALLOC + page owner off (their boot words
 * left out), with SLUB_DEBUG_ON off (`slub_debug=-`), and with both off. Each boot is one
 * 2-vCPU TCG node, timed on the agent's `exercise` (fork, exec, pipes and page allocations, as
 * the soak's workload does) and on its guest uptime at the ready marker. The variants take
 * turns in every round, so a change of machine load hits them alike; figures are ratios.
 *
 * Tracing cannot be switched off at boot (the function tracer is compiled in as patched nops):
 * its cost, like every group's build cost, is bench/kernel-groups.ts's (four kernel builds).
 *
 * `npm run bench kernel-groups-boot` (not in the default sections).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { localArtifactStore } from '../activities/artifacts/store';
import { runTool } from '../activities/exec/run-tool';
import { localFile } from '../activities/providers/local/cluster-provision';
import { guestBound } from '../activities/providers/local/guest-bound';
import { guestCommand } from '../activities/providers/local/guest-channel';
import { localImageBake } from '../activities/providers/local/image-bake';
import { localKernelBuild } from '../activities/providers/local/kernel-build';
import { flavorCmdline } from '../activities/providers/local/kernel-flavor';
import { READY_MARKER, guestAppend, qemuArgs, qemuBinary, waitForConsole } from '../activities/providers/local/qemu';
import { localRegistry } from '../activities/providers/local/registry';
import { stopProcess } from '../activities/providers/local/teardown';
import type { LocalDeps } from '../activities/providers/local/deps';
import { EXERCISE, ROUNDS, benchContext, median, quietIo } from './kernel-bench-kit';
import { cacheDir } from '../src/domain/paths';

const PAGE_WORDS = /^(page_poison|debug_pagealloc|page_owner)=/;
const VARIANTS: Array<{ name: string; words: (w: string[]) => string[] }> = [
  { name: 'every group on', words: (w) => w },
  { name: 'page poisoning + DEBUG_PAGEALLOC + page owner off', words: (w) => w.filter((x) => !PAGE_WORDS.test(x)) },
  { name: 'SLUB_DEBUG_ON off (slub_debug=-)', words: (w) => [...w, 'slub_debug=-'] },
  { name: 'both off', words: (w) => [...w.filter((x) => !PAGE_WORDS.test(x)), 'slub_debug=-'] },
];

export async function benchKernelGroupsBoot(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'rcdebug-bench-boot-'));
  const deps: LocalDeps = {
    artifacts: localArtifactStore(join(work, 'artifacts')),
    registry: localRegistry(join(work, 'registry')),
    stateDir: join(work, 'local'),
    cacheDir: cacheDir(),
  };
  const ctx = benchContext('bench-groups-boot');
  let pidFile: string | undefined;
  try {
    const kernel = await localKernelBuild({ ctx }, quietIo, deps);
    const image = await localImageBake({ ctx, kernel }, quietIo, deps);
    const words = await flavorCmdline('kasan');
    const rows = VARIANTS.map((v) => ({ ...v, ready: [] as number[], work: [] as number[] }));
    for (let r = 0; r < ROUNDS; r++) {
      for (const [i, row] of rows.entries()) {
        const base = join(work, `v${i}-r${r}`);
        pidFile = `${base}.pid`;
        const spec = {
          name: `rcdebug-bench:${i}-${r}`, kernel: localFile(kernel.artifacts.kernel), initrd: localFile(image.imageId),
          append: guestAppend(row.words(words).join(' ')), memoryMiB: 768, cpus: 2, accel: 'tcg' as const, cpu: 'max',
          consoleFile: `${base}.console`, socket: `${base}.sock`, pidFile,
        };
        await runTool({ cmd: qemuBinary(), args: qemuArgs(spec), io: quietIo });
        const pid = Number(readFileSync(pidFile, 'utf8').trim());
        const up = await waitForConsole(spec.consoleFile, READY_MARKER, { bound: guestBound(900, pid), alive: () => isAlive(pid), label: row.name });
        if (up !== 'found') throw new Error(`${row.name}: the guest did not come up (${up}); console ${spec.consoleFile}`);
        row.ready.push(Number(new RegExp(`${READY_MARKER} ([\\d.]+)`).exec(readFileSync(spec.consoleFile, 'utf8'))?.[1]));
        const reply = await guestCommand(spec.socket, EXERCISE, { timeoutMs: 1_800_000, io: quietIo });
        row.work.push(Number(/seconds=([\d.]+)/.exec(reply)?.[1]));
        await stopProcess(pid);
        pidFile = undefined;
      }
    }
    const all = rows[0] as (typeof rows)[number];
    console.log(`kernel option groups at boot (kasan kernel ${kernel.digest.slice(0, 12)}, local TCG, 2 vCPUs, 768 MiB; \`${EXERCISE}\`, median of ${ROUNDS} rounds)`);
    console.log('  variant | guest uptime at ready s | guest work s | every group on / variant (work)');
    for (const row of rows) {
      console.log(`  ${row.name} | ${median(row.ready).toFixed(1)} | ${median(row.work).toFixed(2)} (${row.work.map((w) => w.toFixed(1)).join(', ')}) | ${(median(all.work) / median(row.work)).toFixed(2)}`);
    }
  } finally {
    if (pidFile) {
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      if (pid) await stopProcess(pid);
    }
    if (!process.env.RCDEBUG_BENCH_KEEP) rmSync(work, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  benchKernelGroupsBoot().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
