/**
 * The plugin object every cloud folder exports from `activities/providers/<cloud>/plugin.ts`:
 * everything of that cloud the rest of rcdebug needs. Nothing outside the folder names the
 * cloud; the worker, the CLI, the preflight check and `doctor` ask the plugin instead.
 */
import type { CloudName, CloudProvider, StepIO } from '../src/domain/contract';
import type { Manifest } from '../src/domain/manifest';
import type { ManifestRule } from '../src/domain/manifest/rules';

/** Workflow type of the cloud-neutral janitor (`workflows/cloud-janitor.ts`) a janitor schedule starts. */
export const CLOUD_JANITOR_WORKFLOW = 'cloudJanitor';

/** One thing a janitor removed, would remove, or failed to remove. */
export interface JanitorActionRow {
  kind: string;
  id: string;
  cycle?: string | undefined;
  reason: string;
  outcome: 'removed' | 'would-remove' | 'failed';
  error?: string | undefined;
}

/** The input of `cloudJanitor`: which cloud, and what its sweep activity takes. */
export interface CloudJanitorInput {
  cloud: CloudName;
  /** Handed as is to the cloud's `janitorSweep` activity. */
  sweep: Record<string, unknown>;
}

/** The activity a cloud with a janitor registers on `<base>-<cloud>`, run by `cloudJanitor`. */
// A type, not an interface, so it fits the plugin's record of extra activities.
export type JanitorActivities = {
  janitorSweep(input: Record<string, unknown>): Promise<JanitorActionRow[]>;
};

/**
 * How the CLI parses an option before the command runs, so bad values are refused with the
 * flag named before any cloud call: `duration` gives milliseconds (`6h`, `2d`), `count` a whole
 * number of at least 1, `flavors` a checked list of kernel flavors.
 */
export type CommandOptionKind = 'text' | 'duration' | 'count' | 'flavors' | 'flag';

/** One option of a plugin's command, as commander takes it (`--ttl <duration>`, `--no-temporal`). */
export interface CloudCommandOption {
  flags: string;
  description: string;
  kind?: CommandOptionKind | undefined;
  default?: string | undefined;
  required?: boolean | undefined;
}

/** What a command hands back for the CLI to print (`--json` prints `json`). */
export interface CloudCommandOutput {
  json: unknown;
  tables: Array<{ title?: string | undefined; head: string[]; rows: string[][] }>;
  lines: string[];
  /** Non-zero when some of the work failed (the rest was done). */
  exitCode?: number | undefined;
}

/** A command a plugin adds under an application command (`rcdebug janitor <path>`). */
export interface CloudCommand {
  /** Words after the parent command, e.g. `['schedule', 'create']`. */
  path: string[];
  /** Positional arguments, e.g. `['<scheduleId>']`. */
  args?: string[] | undefined;
  description: string;
  options: CloudCommandOption[];
  /** Runs with the positional arguments and the parsed options; progress goes to `io`. */
  run(args: string[], options: Record<string, unknown>, io: StepIO): Promise<CloudCommandOutput>;
}

/** The manifest section a cycle on a cloud reads, and why: a cycle without it is refused. */
export interface ManifestSection {
  key: keyof Manifest;
  purpose: string;
}

/** Everything of one cloud. */
export interface CloudPlugin {
  readonly cloud: CloudName;
  /** Creates the provider of the eight steps; imports the cloud's SDK only when called. */
  createProvider(): Promise<CloudProvider>;
  /** Activities the cloud's workers register next to the steps (e.g. `janitorSweep`). */
  extraActivities?(): Promise<Record<string, (...args: never[]) => Promise<unknown>>>;
  /** The manifest section a cycle on this cloud needs. */
  manifestSection: ManifestSection;
  /** Rules on the manifest a cycle on this cloud reads, beyond the shared schema and rules. */
  manifestRules: ManifestRule[];
  /** Names in the tool table (scripts/toolchain.mjs) this cloud's steps run; `doctor` shows them. */
  doctorTools: string[];
  /** Commands of `rcdebug janitor` for this cloud, if it has a janitor. */
  janitorCommands?: CloudCommand[] | undefined;
}
