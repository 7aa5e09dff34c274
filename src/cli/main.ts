import { Command } from 'commander';
import { registerFindingsCommands } from './commands/findings';

const program = new Command('rcdebug')
  .description('Release-candidate debug cycles of Linux kernel modules as durable Temporal workflows')
  .showHelpAfterError();

registerFindingsCommands(program);

await program.parseAsync(process.argv);
