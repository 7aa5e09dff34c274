import type { Command } from 'commander';

/** `rcdebug findings ...` (placeholder until the findings engine lands). */
export function registerFindingsCommands(program: Command): void {
  program.command('findings').description('kernel log findings');
}
