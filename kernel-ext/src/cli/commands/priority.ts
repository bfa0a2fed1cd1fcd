/** `bulkrun priority ID N`: change the priority of a waiting job or of a batch's rows. */
import type { Command } from 'commander';
import type { JobRecord } from '../../protocol/records';
import { action, clientFrom, intOption, printJson, type GlobalOptions } from '../context';

export function registerPriority(program: Command): void {
  program
    .command('priority')
    .description('Change the priority of a job or batch (higher runs first among waiting jobs)')
    .argument('<id>', 'job or batch id')
    .argument('<priority>', 'new priority (an integer)', intOption)
    .option('--json', 'print the updated record as JSON')
    .action(
      action(async function (
        this: Command,
        id: string,
        priority: number,
        flags: { json?: boolean }
      ) {
        const client = clientFrom(this.optsWithGlobals<GlobalOptions>());
        const res = await client.request<{ job: JobRecord }>(
          'PATCH',
          `/jobs/${encodeURIComponent(id)}`,
          {
            priority,
          }
        );
        if (flags.json) printJson(res);
        else process.stdout.write(`${id}: priority ${res.job.priority}\n`);
        return 0;
      })
    );
}
