/**
 * Runs `packer build -machine-readable` of an azure template through the one tool runner:
 * progress from its `timestamp,target,type,data...` lines, the result from the manifest
 * post-processor's JSON (its `artifact_id` is the managed image or gallery version id).
 */
import { readFile, rm } from 'node:fs/promises';
import type { StepIO, StepProgress } from '../../../src/domain/contract';
import { InfraError, UserError } from '../../../src/domain/errors';
import { runTool } from '../../exec/run-tool';
import { toolPath } from './tools';

/** Progress from `ui,say`/`ui,message` lines (commas in data are `%!(PACKER_COMMA)`). */
export function packerProgress(line: string): StepProgress | undefined {
  const [ts, , type, kind, ...rest] = line.split(',');
  if (!/^\d+$/.test(ts ?? '') || type !== 'ui' || !['say', 'message'].includes(kind ?? '')) return undefined;
  const text = rest.join(',').replaceAll('%!(PACKER_COMMA)', ',').replaceAll('\\n', '\n').trim().split('\n').filter(Boolean).pop() ?? '';
  return text ? { message: `packer: ${text.slice(0, 200)}` } : undefined;
}

/** The command line of a build (also written into reproducers). */
export function packerArgs(template: string, vars: Record<string, string>): string[] {
  return ['build', '-machine-readable', '-timestamp-ui', '-color=false', ...Object.entries(vars).flatMap(([k, v]) => ['-var', `${k}=${v}`]), template];
}

/** The last run's build of a Packer manifest file. */
export function lastRunArtifact(manifestJson: string, file: string): { artifactId: string; customData: Record<string, string> } {
  let m: { builds?: { artifact_id: string; packer_run_uuid: string; custom_data?: Record<string, string> }[]; last_run_uuid?: string };
  try {
    m = JSON.parse(manifestJson) as typeof m;
  } catch (err) {
    throw new InfraError(`the Packer manifest ${file} is not JSON: ${(err as Error).message}`);
  }
  const build = [...(m.builds ?? [])].reverse().find((b) => b.packer_run_uuid === m.last_run_uuid) ?? m.builds?.at(-1);
  if (!build) throw new InfraError(`the Packer manifest ${file} has no build: did the manifest post-processor run?`);
  return { artifactId: build.artifact_id, customData: build.custom_data ?? {} };
}

/** Failures in packer's output that are the user's: a VM size the region does not offer, denied access. */
export function classifyPacker(f: { tail: string[] }): Error | undefined {
  const text = f.tail.join('\n');
  if (/SkuNotAvailable|not available in location/.test(text)) {
    return new UserError(`the VM size is not offered in this region: pick another RCDEBUG_AZURE_VM_SIZE or region (${text.split('\n').filter((l) => /SkuNotAvailable/.test(l)).pop() ?? ''})`, 'RCDEBUG_AZURE_VM_SIZE');
  }
  if (/AuthorizationFailed|ExpiredAuthenticationToken|InvalidAuthenticationToken/.test(text)) {
    return new UserError('packer could not act with these Azure credentials: refresh them, or grant the role of terraform/azure/worker-role.json', 'Azure credentials');
  }
  return undefined;
}

/** `packer init` then `packer build`; returns the manifest's last artifact. */
export async function packerBuild(b: { template: string; vars: Record<string, string>; manifestPath: string; logFile: string; io: StepIO; cwd: string }) {
  const packer = toolPath('packer');
  await rm(b.manifestPath, { force: true });
  await runTool({ cmd: packer, args: ['init', b.template], cwd: b.cwd, logFile: b.logFile, io: b.io, timeoutMs: 10 * 60_000 });
  await runTool({
    cmd: packer,
    args: packerArgs(b.template, b.vars),
    cwd: b.cwd,
    logFile: b.logFile,
    io: b.io,
    env: { PACKER_NO_COLOR: '1', CHECKPOINT_DISABLE: '1' },
    progress: packerProgress,
    classify: classifyPacker,
  });
  let text: string;
  try {
    text = await readFile(b.manifestPath, 'utf8');
  } catch {
    throw new InfraError(`packer build succeeded but wrote no manifest at ${b.manifestPath} (log: ${b.logFile})`);
  }
  return lastRunArtifact(text, b.manifestPath);
}

/** Quotes one shell word. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
