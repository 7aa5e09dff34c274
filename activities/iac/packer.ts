/**
 * Runs `packer build -machine-readable` through the one tool runner, for every cloud's kernel
 * build and image bake: progress from its `timestamp,target,type,data...` lines, the result
 * from the manifest post-processor's JSON.
 */
import { readFile, rm } from 'node:fs/promises';
import type { StepIO, StepProgress } from '../../src/domain/contract';
import { InfraError } from '../../src/domain/errors';
import { runTool } from '../exec/run-tool';
import { toolPath } from './tool-path';

/** One machine-readable line. */
export interface PackerLine {
  timestamp: number;
  target: string;
  type: string;
  data: string[];
}

/** Parses a machine-readable line (commas inside data are escaped as `%!(PACKER_COMMA)`). */
export function parsePackerLine(line: string): PackerLine | undefined {
  const parts = line.split(',');
  if (parts.length < 3 || !/^\d+$/.test(parts[0] ?? '')) return undefined;
  const [ts, target = '', type = '', ...data] = parts;
  return {
    timestamp: Number(ts),
    target,
    type,
    data: data.map((d) => d.replaceAll('%!(PACKER_COMMA)', ',').replaceAll('\\n', '\n').replaceAll('\\r', '')),
  };
}

/** Progress from `ui,say` and `ui,message` lines: the last line of what packer says. */
export function packerProgress(line: string): StepProgress | undefined {
  const p = parsePackerLine(line);
  if (!p || p.type !== 'ui' || !['say', 'message'].includes(p.data[0] ?? '')) return undefined;
  const text = (p.data.slice(1).join(',').trim().split('\n').filter(Boolean).pop() ?? '').slice(0, 200);
  return text ? { message: `packer: ${text}` } : undefined;
}

/** One build of the manifest post-processor's file. */
export interface PackerManifestBuild {
  name: string;
  builder_type: string;
  artifact_id: string;
  packer_run_uuid: string;
  custom_data?: Record<string, string> | undefined;
}

/** The build of the last run in a Packer manifest (the file accumulates runs). */
export function lastRunBuild(manifestJson: string, file: string): PackerManifestBuild {
  let m: { builds?: PackerManifestBuild[]; last_run_uuid?: string };
  try {
    m = JSON.parse(manifestJson) as typeof m;
  } catch (err) {
    throw new InfraError(`the Packer manifest ${file} is not JSON: ${(err as Error).message}`);
  }
  const build = [...(m.builds ?? [])].reverse().find((b) => b.packer_run_uuid === m.last_run_uuid) ?? m.builds?.at(-1);
  if (!build) throw new InfraError(`the Packer manifest ${file} has no build: did the manifest post-processor run?`);
  return build;
}

export interface PackerBuild {
  template: string;
  vars: Record<string, string>;
  manifestPath: string;
  logFile: string;
  io: StepIO;
  cwd: string;
  /** Turns a failure into a UserError when the output shows the user's fault. */
  classify?: (failure: { exitCode: number | undefined; tail: string[] }) => Error | undefined;
}

/** The packer command line of a build (also written into reproducers). */
export function packerArgs(b: Pick<PackerBuild, 'template' | 'vars'>): string[] {
  return ['build', '-machine-readable', '-timestamp-ui', '-color=false', ...Object.entries(b.vars).flatMap(([k, v]) => ['-var', `${k}=${v}`]), b.template];
}

/** `packer init` then `packer build`; returns the manifest's last build and the `ui,error` lines. */
export async function packerBuild(b: PackerBuild): Promise<{ build: PackerManifestBuild; errors: string[] }> {
  const packer = toolPath('packer');
  // A manifest left by an earlier attempt must not be mistaken for this run's.
  await rm(b.manifestPath, { force: true });
  await runTool({ cmd: packer, args: ['init', b.template], cwd: b.cwd, logFile: b.logFile, io: b.io, timeoutMs: 10 * 60_000 });
  const errors: string[] = [];
  await runTool({
    cmd: packer,
    args: packerArgs(b),
    cwd: b.cwd,
    logFile: b.logFile,
    io: b.io,
    env: { PACKER_NO_COLOR: '1', CHECKPOINT_DISABLE: '1' },
    progress: packerProgress,
    onLine(line) {
      const p = parsePackerLine(line);
      if (p?.type === 'ui' && p.data[0] === 'error') errors.push(p.data.slice(1).join(','));
    },
    classify: (f) => b.classify?.({ exitCode: f.exitCode, tail: [...errors, ...f.tail] }),
  });
  let text: string;
  try {
    text = await readFile(b.manifestPath, 'utf8');
  } catch {
    throw new InfraError(`packer build succeeded but wrote no manifest at ${b.manifestPath} (log: ${b.logFile})`);
  }
  return { build: lastRunBuild(text, b.manifestPath), errors };
}
