import { Option, type Command } from 'commander';
import { loadPlugins } from '../../../../activities/plugins';
import type { CloudCommand, CloudCommandOption, CloudCommandOutput, CloudPlugin } from '../../../../activities/plugin';
import { parseInterval } from '../../client/schedule-spec';
import { FLAVORS, type Flavor } from '../../../domain/contract';
import { UserError } from '../../../domain/errors';
import { intOption } from '../options';
import { printJson, table } from '../output';

// The plugin modules are small and import no cloud SDK, so every cloud's janitor commands are
// known when the command tree is built (commander needs them before it parses).
const plugins = await loadPlugins();

function flavorsOf(text: string | undefined, flag: string): Flavor[] {
  const list = (text ?? FLAVORS.join(',')).split(',').map((f) => f.trim()).filter(Boolean);
  for (const f of list) if (!(FLAVORS as readonly string[]).includes(f)) throw new UserError(`${flag} ${f} is not one of ${FLAVORS.join(', ')}`, flag);
  return list as Flavor[];
}

/** Parses one option by its kind; a bad value is a UserError naming the flag. */
function parseOption(spec: CloudCommandOption, value: unknown): unknown {
  const flag = new Option(spec.flags).long ?? spec.flags;
  switch (spec.kind) {
    case 'duration': {
      if (value === undefined) return undefined;
      const ms = parseInterval(String(value));
      if (ms === undefined) throw new UserError(`${flag} "${String(value)}" is not a duration such as 12h or 2d`, flag);
      return ms;
    }
    case 'count':
      return value === undefined ? undefined : intOption(String(value), flag, 1);
    case 'flavors':
      return flavorsOf(value as string | undefined, flag);
    default:
      return value;
  }
}

function print(out: CloudCommandOutput, json: boolean | undefined): void {
  if (json) printJson(out.json);
  else {
    for (const t of out.tables) process.stdout.write(`${t.title ? `${t.title}\n` : ''}${table(t.head, t.rows)}\n`);
    for (const line of out.lines) process.stdout.write(`${line}\n`);
  }
  if (out.exitCode) process.exitCode = out.exitCode;
}

/** The command at `path` under `parent`, made when missing (`schedule` of `schedule create`). */
function group(parent: Command, name: string): Command {
  return parent.commands.find((c) => c.name() === name) ?? parent.command(name).description(`janitor ${name} commands`);
}

/**
 * Registers one command that every plugin with a command at this path shares; `--cloud` picks
 * the plugin (default: the only one that has it). Options are the union of the plugins'.
 */
function registerShared(janitor: Command, path: string[], owners: Array<{ plugin: CloudPlugin; command: CloudCommand }>): void {
  const first = owners[0] as { command: CloudCommand };
  const parent = path.slice(0, -1).reduce(group, janitor);
  const cmd = parent.command([path[path.length - 1], ...(first.command.args ?? [])].join(' ')).description(first.command.description);
  const clouds = owners.map((o) => o.plugin.cloud);
  cmd.addOption(new Option('--cloud <cloud>', `the cloud whose janitor runs (${clouds.join(', ')})`).default(clouds.length === 1 ? clouds[0] : undefined));
  const specs = new Map<string, CloudCommandOption>();
  for (const { command } of owners) for (const o of command.options) specs.set(o.flags, o);
  // Requiredness is checked in the action, not by commander: whether an option is required
  // depends on the cloud, and a wrong --cloud is named first.
  for (const spec of specs.values()) {
    const option = new Option(spec.flags, `${spec.description}${spec.required ? ' (required)' : ''}`);
    if (spec.default !== undefined) option.default(spec.default);
    cmd.addOption(option);
  }
  cmd.option('--json', 'as JSON');
  cmd.action(async (...argv: unknown[]) => {
    const self = argv[argv.length - 1] as Command;
    const raw = self.opts<Record<string, unknown>>();
    const owner = owners.find((o) => o.plugin.cloud === raw.cloud);
    if (!owner) throw new UserError(`--cloud: give one of ${clouds.join(', ')} (the clouds with a janitor ${path.join(' ')})`, '--cloud');
    const parsed: Record<string, unknown> = { ...raw };
    for (const spec of owner.command.options) {
      const option = new Option(spec.flags);
      const key = option.attributeName();
      if (spec.required && raw[key] === undefined) throw new UserError(`${option.long} is required`, option.long);
      parsed[key] = parseOption(spec, raw[key]);
    }
    const io = { progress: (p: { message: string }) => process.stderr.write(`rcdebug: ${p.message}\n`), signal: new AbortController().signal, attempt: 1 };
    print(await owner.command.run(self.args, parsed, io), raw.json as boolean | undefined);
  });
}

/**
 * `rcdebug janitor ...`: what a cloud left behind, and its registry's retention and rollback.
 * The commands come from the cloud plugins; `--cloud` picks the cloud.
 */
export function registerJanitorCommands(program: Command): void {
  const janitor = program.command('janitor').description('clean up what a cloud left behind; registry retention and rollback (--cloud picks the cloud)');
  const byPath = new Map<string, Array<{ plugin: CloudPlugin; command: CloudCommand }>>();
  for (const plugin of plugins) {
    for (const command of plugin.janitorCommands ?? []) {
      const key = command.path.join(' ');
      byPath.set(key, [...(byPath.get(key) ?? []), { plugin, command }]);
    }
  }
  for (const owners of byPath.values()) registerShared(janitor, (owners[0] as { command: CloudCommand }).command.path, owners);
}
