import { Command, CommanderError } from 'commander';
import { InfraError, UserError } from '../../domain/errors';
import { exitCodeOf } from './exit-codes';

type Register = (program: Command) => void;

/**
 * Every command and the module that registers it. Only the command being run is loaded, so a
 * `status` never pays for a cloud's SDK; help loads them all.
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  start: async () => (await import('./commands/start')).registerStartCommand,
  validate: async () => (await import('./commands/validate')).registerValidateCommand,
  status: async () => (await import('./commands/status')).registerStatusCommand,
  watch: async () => (await import('./commands/watch')).registerWatchCommand,
  rerun: async () => (await import('./commands/rerun')).registerRerunCommand,
  cancel: async () => (await import('./commands/cancel')).registerCancelCommand,
  report: async () => (await import('./commands/report')).registerReportCommand,
  schedule: async () => (await import('./commands/schedule')).registerScheduleCommands,
  findings: async () => (await import('./commands/findings')).registerFindingsCommands,
  manifest: async () => (await import('./commands/manifest')).registerManifestCommands,
  janitor: async () => (await import('./commands/janitor')).registerJanitorCommands,
  worker: async () => (await import('./commands/worker')).registerWorkerCommand,
  dev: async () => (await import('./commands/dev')).registerDevCommand,
  demo: async () => (await import('./commands/demo')).registerDemoCommand,
  doctor: async () => (await import('./commands/doctor')).registerDoctorCommand,
};

const program = new Command('rcdebug')
  .description('Release-candidate debug cycles of Linux kernel modules as durable Temporal workflows')
  .showHelpAfterError()
  .exitOverride();

// One place maps errors to exit codes (by their class, see exit-codes.ts); every message
// says what to do next.
try {
  const name = process.argv[2];
  const wanted = name && name in COMMANDS ? [name] : Object.keys(COMMANDS);
  for (const register of await Promise.all(wanted.map((n) => (COMMANDS[n] as () => Promise<Register>)()))) register(program);
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = exitCodeOf(err);
  if (err instanceof CommanderError) {
    // Commander printed the usage error (or the help) itself.
  } else if (err instanceof UserError) {
    process.stderr.write(`rcdebug: ${err.message}\n${err.hint ? `  → ${err.hint}\n` : ''}`);
  } else if (err instanceof InfraError) {
    process.stderr.write(`rcdebug: ${err.message}\n`);
  } else {
    process.stderr.write(`rcdebug: unexpected error: ${(err as Error)?.stack ?? String(err)}\n`);
  }
}
