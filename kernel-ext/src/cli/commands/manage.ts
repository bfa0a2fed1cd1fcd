/** `bulkrun cancel` and `bulkrun retry`. */
import { Command } from 'commander';
import type { BatchRecord, JobRecord, RetryResult } from '../../protocol/records';
import { UsageError } from '../client';
import { action, clientFrom, printJson, type GlobalOptions } from '../context';
import { statusText, summaryLine } from '../format';

function describeResult(r: RetryResult): string {
  return 'retryId' in r ? `${r.jobId}: retried as ${r.retryId}` : `${r.jobId}: ${r.error}`;
}

export function registerManage(program: Command): void {
  program
    .command('cancel')
    .description('Cancel a job, or a batch (its unfinished rows and pending fan-in)')
    .argument('<id>', 'batch or job id')
    .option('--json', 'print the updated record as JSON')
    .action(
      action(async function (this: Command, id: string, flags: { json?: boolean }) {
        const client = clientFrom(this.optsWithGlobals<GlobalOptions>());
        const rec = await client.get<JobRecord | BatchRecord>(`/jobs/${encodeURIComponent(id)}`);
        const isBatch = (rec as BatchRecord).batchJob === true;
        const res = isBatch
          ? await client.post<{ batch: BatchRecord }>(`/batches/${encodeURIComponent(id)}/cancel`)
          : await client.post<{ job: JobRecord }>(`/jobs/${encodeURIComponent(id)}/cancel`);
        if (flags.json) {
          printJson(res);
          return 0;
        }
        if ('batch' in res) {
          process.stdout.write(
            `batch ${id} ${res.batch.status}: ${summaryLine(res.batch.counts)}\n`
          );
        } else {
          process.stdout.write(`job ${id} ${statusText(res.job)}\n`);
        }
        return 0;
      })
    );

  program
    .command('retry')
    .description('Retry failed or cancelled jobs, or every failed row of a batch')
    .argument('[ids...]', 'job ids to retry')
    .option('--batch <id>', 'retry the rows of this batch')
    .option(
      '--statuses <list>',
      'with --batch: which rows, comma-separated (default error,terminated)'
    )
    .option('--json', 'print the results as JSON')
    .addHelpText('after', '\nExit code 1 when any job could not be retried.')
    .action(
      action(async function (
        this: Command,
        ids: string[],
        flags: { batch?: string; statuses?: string; json?: boolean }
      ) {
        const client = clientFrom(this.optsWithGlobals<GlobalOptions>());
        if (flags.batch && ids.length) throw new UsageError('give job ids or --batch ID, not both');
        if (!flags.batch && !ids.length)
          throw new UsageError('give the job ids to retry, or --batch ID');
        if (flags.statuses && !flags.batch) throw new UsageError('--statuses goes with --batch');
        let results: RetryResult[];
        if (flags.batch) {
          const statuses = flags.statuses
            ?.split(',')
            .map(s => s.trim())
            .filter(Boolean);
          const res = await client.post<{ results: RetryResult[] }>(
            `/batches/${encodeURIComponent(flags.batch)}/retry`,
            statuses ? { statuses } : {}
          );
          results = res.results;
        } else {
          results = (await client.post<{ results: RetryResult[] }>('/jobs/retry', { jobIds: ids }))
            .results;
        }
        if (flags.json) printJson({ results });
        else if (!results.length) process.stdout.write('nothing to retry\n');
        else for (const r of results) process.stdout.write(`${describeResult(r)}\n`);
        return results.some(r => !('retryId' in r)) ? 1 : 0;
      })
    );
}
