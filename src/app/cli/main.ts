import { Command, CommanderError } from 'commander';
import { isInfraError, isUserError } from '../../domain/errors';
import { EXIT } from './exit-codes';

type Register = (program: Command) => void;

/**
 * Every command and the module that registers it. Only the command being run is loaded, so a
 * `status` never pays for the AWS SDK; help loads them all.
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  start: async () => (await import('./commands/start')).registerStartCommand,
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

// One place maps errors to exit codes; every message says what to do next.
try {
  const name = process.argv[2];
  const wanted = name && name in COMMANDS ? [name] : Object.keys(COMMANDS);
  for (const register of await Promise.all(wanted.map((n) => (COMMANDS[n] as () => Promise<Register>)()))) register(program);
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else if (isUserError(err)) {
    process.stderr.write(`rcdebug: ${err.message}\n${err.hint ? `  → ${err.hint}\n` : ''}`);
    process.exitCode = /cannot reach Temporal/.test(err.message) ? EXIT.unavailable : EXIT.usage;
  } else if (isInfraError(err)) {
    process.stderr.write(`rcdebug: ${err.message}\n`);
    process.exitCode = EXIT.unavailable;
  } else {
    process.stderr.write(`rcdebug: unexpected error: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = EXIT.internal;
  }
}
