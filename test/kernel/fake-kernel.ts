/**
 * A fake kernel tree for tests: a Makefile that answers the targets the local kernel build and
 * image bake use (allnoconfig with KCONFIG_ALLCONFIG, olddefconfig, a compile of three objects,
 * kernelrelease, modules_prepare, M= modules, usr/gen_init_cpio), so the build logic runs in
 * seconds. The compile and module targets count their runs in files next to the build.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalDeps } from '../../activities/providers/local/deps';
import { localArtifactStore } from '../../activities/artifacts/store';
import type { StepContext, StepIO, StepProgress } from '../../src/domain/contract';

/** An option the fake olddefconfig drops: its Kconfig entry depends on a symbol nobody sets. */
export const DROPPED_OPTION = 'FAKE_NEEDS_MISSING';
/** An option no Kconfig of the fake tree defines, so olddefconfig drops it too. */
export const GONE_OPTION = 'FAKE_GONE';

const MAKEFILE = `VERSION = 6
PATCHLEVEL = 1
SUBLEVEL = 0
EXTRAVERSION = -fake
O ?= .
SLEEP = @SLEEP@

all:
\t@mkdir -p $(O)/arch/x86/boot $(O)/init
\t@echo build >> $(O)/fake-builds
\t@for o in init/main.o kernel/fork.o mm/slub.o; do sleep $(SLEEP); echo "  CC      $$o"; done
\t@echo "  LD      vmlinux"
\t@echo fake-bzImage > $(O)/arch/x86/boot/bzImage

allnoconfig:
\t@if [ -f .config ]; then echo "***  The source tree is not clean, please run 'make mrproper'"; exit 2; fi
\t@mkdir -p $(O)
\t@grep -v '^#' $(KCONFIG_ALLCONFIG) | grep . > $(O)/.config || true

olddefconfig:
\t@grep -Ev '^CONFIG_(${DROPPED_OPTION}|${GONE_OPTION})=' $(O)/.config > $(O)/.config.new || true
\t@mv $(O)/.config.new $(O)/.config

kernelrelease:
\t@echo 6.1.0-fake

.PHONY: all allnoconfig olddefconfig kernelrelease
`;

/** The Makefile a fake O= build directory gets (the kernel writes a similar wrapper). */
const BUILD_DIR_MAKEFILE = `M ?=
all:
\t@true

modules_prepare:
\t@echo prepare >> $(CURDIR)/fake-prepares

usr/gen_init_cpio:
\t@mkdir -p usr && gcc -O2 -o usr/gen_init_cpio $(GEN_INIT_CPIO_C)

modules:
\t@for c in $(M)/*.c; do n=$$(basename $$c .c); echo "  CC [M]  $$n.o"; cp $$c $(M)/$$n.ko; done
\t@echo module >> $(CURDIR)/fake-module-builds

.PHONY: all modules_prepare modules
`;

/**
 * Writes a fake kernel tree whose Kconfig defines `symbols` (plus the dropped option); its
 * compile sleeps `sleepSeconds` before each object.
 */
export function writeFakeKernelTree(root: string, symbols: string[], sleepSeconds = 0): void {
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'Makefile'), MAKEFILE.replace('@SLEEP@', String(sleepSeconds)));
  const entries = symbols.map((s) => `config ${s}\n\tbool "${s}"\n`);
  entries.push(`config ${DROPPED_OPTION}\n\tbool "needs a missing symbol"\n\tdepends on FAKE_MISSING_DEP\n`, 'config FAKE_MISSING_DEP\n\tbool\n');
  writeFileSync(join(root, 'Kconfig'), entries.join('\n'));
}

/** Turns a fake build directory into what image-bake expects of a finished kernel build. */
export function writeFakeBuildDirMakefile(buildDir: string, genInitCpioSource: string): void {
  writeFileSync(join(buildDir, 'Makefile'), BUILD_DIR_MAKEFILE.replace('$(GEN_INIT_CPIO_C)', genInitCpioSource));
}

/** A `kernel/` folder with one fragment each in base/, flavors/common/ and flavors/kasan/. */
export function writeFakeKernelDir(root: string, fragments: Record<string, string>): void {
  for (const [rel, text] of Object.entries(fragments)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
}

/** Reads a counter file the fake Makefiles append to (0 when absent). */
export function countLines(file: string): number {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}

/** A temporary directory removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `rcdebug-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Local deps rooted in a temporary directory. */
export function fakeDeps(root: string, kernelSource: string): LocalDeps {
  return {
    artifacts: localArtifactStore(join(root, 'artifacts')),
    registry: {} as LocalDeps['registry'],
    cacheDir: join(root, 'cache'),
    stateDir: join(root, 'state'),
    kernelSource,
  };
}

/** A StepIO that records every progress report. */
export function recordingIO(signal: AbortSignal = new AbortController().signal): StepIO & { reports: StepProgress[] } {
  const reports: StepProgress[] = [];
  return { reports, progress: (p) => reports.push(p), signal, attempt: 1 };
}

/** A step context for the kasan flavor of the local cloud. */
export function stepContext(cycleId: string, module = { name: 'kbug', source: 'kernel/examples/kbug', version: 'test' }): StepContext {
  return {
    cycleId,
    rc: 'v0.0.0-rc1',
    cloud: 'local',
    flavor: 'kasan',
    module,
    manifest: 'manifests/example.yaml',
    soak: { durationSeconds: 60, checkIntervalSeconds: 10, scanIntervalSeconds: 0 },
  };
}
