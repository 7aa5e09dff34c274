import type { Command } from 'commander';
import { connectClient } from '../../../../activities/temporal-connection';
import { getCycleView } from '../../client/cycles';
import { UserError } from '../../../domain/errors';

export function registerCancelCommand(program: Command): void {
  program
    .command('cancel <cycle>')
    .description('cancel a cycle: running steps stop, teardown runs, nothing is left behind')
    .action(async (id: string) => {
      const client = await connectClient();
      const view = await getCycleView(client, id);
      if (view.status !== 'RUNNING') throw new UserError(`${id} is already ${view.status.toLowerCase()}`, 'cycle', `see \`rcdebug status ${id}\``);
      await client.workflow.getHandle(id).cancel();
      process.stdout.write(`cancel requested for ${id}; teardown runs before it ends: rcdebug watch ${id}\n`);
    });
}
