import { Command, CommanderError } from 'commander';
import { isInfraError, isUserError } from '../errors';
import { EXIT } from './exit-codes';
import { registerCancelCommand } from './commands/cancel';
import { registerDemoCommand } from './commands/demo';
import { registerDevCommand } from './commands/dev';
import { registerDoctorCommand } from './commands/doctor';
import { registerFindingsCommands } from './commands/findings';
import { registerJanitorCommands } from './commands/janitor';
import { registerReportCommand } from './commands/report';
import { registerRerunCommand } from './commands/rerun';
import { registerScheduleCommands } from './commands/schedule';
import { registerStartCommand } from './commands/start';
import { registerStatusCommand } from './commands/status';
import { registerWatchCommand } from './commands/watch';
import { registerWorkerCommand } from './commands/worker';

const program = new Command('rcdebug')
  .description('Release-candidate debug cycles of Linux kernel modules as durable Temporal workflows')
  .showHelpAfterError()
  .exitOverride();

registerStartCommand(program);
registerStatusCommand(program);
registerWatchCommand(program);
registerRerunCommand(program);
registerCancelCommand(program);
registerScheduleCommands(program);
registerReportCommand(program);
registerFindingsCommands(program);
registerJanitorCommands(program);
registerWorkerCommand(program);
registerDevCommand(program);
registerDoctorCommand(program);
registerDemoCommand(program);

// One place maps errors to exit codes; every message says what to do next.
try {
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
