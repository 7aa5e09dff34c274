import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import type { LocalDeps } from '../../../activities/providers/local/deps';
import { localImageBake } from '../../../activities/providers/local/image-bake';
import { localKernelBuild } from '../../../activities/providers/local/kernel-build';
import { localArtifactStore } from '../../../activities/artifacts/store';
import type { ImageBakeOutput, KernelBuildOutput, StepContext, StepIO, StepProgress } from '../../../src/domain/contract';
import type { LocalSpec } from '../../../src/domain/manifest/types';
import { cacheDir } from '../../../src/domain/paths';
import { localRegistry } from '../../../activities/providers/local/registry';

/** A StepIO outside Temporal: progress is collected, cancellation comes from `signal`. */
export function testIO(signal: AbortSignal = new AbortController().signal): StepIO & { seen: StepProgress[] } {
  const seen: StepProgress[] = [];
  return { seen, progress: (p) => seen.push(p), signal, attempt: 1 };
}

/** Throw-away state and artifacts, but the SHARED kernel cache: a kernel is built once per machine. */
export function testDeps(): { deps: LocalDeps; dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'rcdebug-local-'));
  const deps: LocalDeps = {
    artifacts: localArtifactStore(join(dir, 'artifacts')),
    registry: localRegistry(join(dir, 'registry')),
    cacheDir: cacheDir(),
    stateDir: join(dir, 'local'),
  };
  return { deps, dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The step context of a test cycle on `local`/kasan with the example module. */
export function testContext(cycleId: string, manifest: string): StepContext {
  return {
    cycleId,
    rc: 'v0.0.0-test',
    cloud: 'local',
    flavor: 'kasan',
    module: { name: 'kbug', source: 'kernel/examples/kbug', version: 'test' },
    manifest,
    soak: { durationSeconds: 60, checkIntervalSeconds: 15, scanIntervalSeconds: 0 },
  };
}

/** Writes a manifest with only a `local` section. */
export async function writeManifest(dir: string, local: LocalSpec): Promise<string> {
  const file = join(dir, 'manifest.yaml');
  await writeFile(file, stringify({ local }));
  return file;
}

/** The kasan kernel and image of the example module, from the shared cache (built when missing). */
export async function kasanImage(deps: LocalDeps, ctx: StepContext): Promise<{ kernel: KernelBuildOutput; image: ImageBakeOutput }> {
  const kernel = await localKernelBuild({ ctx }, testIO(), deps);
  const image = await localImageBake({ ctx, kernel }, testIO(), deps);
  return { kernel, image };
}
