/** `bulkrun jobs` (alias `list`): recent batches with their summaries. */
import type { Command } from 'commander';
import type { BatchRecord } from '../../protocol/records';
import { action, clientFrom, intOption, printJson, type GlobalOptions } from '../context';
import { statusText, summaryLine, table, truncate } from '../format';

export function registerList(program: Command): void {
  program
    .command('jobs')
    .alias('list')
    .description('List your batches, newest first')
    .option('--status <status>', 'only batches with this status')
    .option('--limit <n>', 'how many (default 20)', intOption, 20)
    .option('--singles', 'include single jobs too')
    .option('--json', 'print the records as JSON')
    .action(
      action(async function (
        this: Command,
        flags: {
          status?: string;
          limit: number;
          singles?: boolean;
          json?: boolean;
        }
      ) {
        const client = clientFrom(this.optsWithGlobals<GlobalOptions>());
        const res = await client.get<{ batches: BatchRecord[]; nextCursor: string | null }>(
          '/batches',
          {
            status: flags.status,
            limit: flags.limit,
            singles: flags.singles ? 'true' : undefined,
          }
        );
        if (flags.json) {
          printJson(res);
          return 0;
        }
        if (!res.batches.length) {
          process.stdout.write('no batches\n');
          return 0;
        }
        const rows = res.batches.map(b => [
          b.id,
          truncate(b.label ?? '', 30),
          b.app,
          statusText(b),
          b.batchJob && b.counts ? summaryLine(b.counts) : '',
          (b.createdAt ?? '').replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
        ]);
        process.stdout.write(
          `${table(['id', 'label', 'app', 'status', 'rows', 'created'], rows)}\n`
        );
        return 0;
      })
    );
}
