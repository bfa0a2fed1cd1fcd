/**
 * `bulkrun fanout`, run inside a job: attaches tasks and an optional fan-in to the running job
 * (POST /jobs/{BULKRUN_JOB_ID}/fanout); the job may exit right after, holding no slot.
 */
import type { Command } from 'commander';
import type { BatchRecord } from '../../protocol/records';
import { ApiClient, ApiRequestError, UsageError } from '../client';
import { action, intOption, printJson, type GlobalOptions } from '../context';
import { formatError } from '../format';
import { buildBatchBody, readSpecFile } from '../spec';
import { typedRows } from './submit';

interface FanoutFlags {
  spec?: string;
  rows?: string;
  app?: string;
  fanIn?: string;
  label?: string;
  maxParallel?: number;
  json?: boolean;
}

/** How long a fan-out waits for a server that restarts (it outlives its clients). */
const UNREACHABLE_WAIT_MS = 120_000;

/**
 * POST /jobs/{id}/fanout, waiting out a server restart: an unreachable server is asked
 * again with backoff. The server may have recorded a fan-out whose answer was lost, so
 * "already fanned out" on a repeat means done: the tasks exist (the batch is this job's).
 */
export async function postFanout(
  client: ApiClient,
  jobId: string,
  body: unknown,
  waitMs = UNREACHABLE_WAIT_MS
): Promise<{ batch: BatchRecord; jobIds: string[] }> {
  const path = `/jobs/${encodeURIComponent(jobId)}/fanout`;
  const deadline = Date.now() + waitMs;
  let delay = 200;
  let repeated = false;
  for (;;) {
    try {
      return await client.post(path, body);
    } catch (e) {
      if (e instanceof ApiRequestError && e.code === 'conflict' && repeated) {
        const batch = await client.get<BatchRecord>(`/batches/${encodeURIComponent(jobId)}`);
        return { batch, jobIds: batch.childJobIds };
      }
      if (!(e instanceof ApiRequestError) || e.code !== 'unreachable' || Date.now() > deadline)
        throw e;
      repeated = true;
      await new Promise(r => setTimeout(r, delay));
      delay = Math.min(delay * 2, 5000);
    }
  }
}

export function registerFanout(program: Command): void {
  program
    .command('fanout')
    .description(
      'Inside a running job: create tasks (and a fan-in) attached to this job, then exit'
    )
    .option('--spec <file>', 'a batch spec (JSON/YAML, the POST /batches body)')
    .option('--rows <file>', 'rows of params (CSV/TSV, or a JSON/YAML array); needs --app')
    .option('--app <id>', 'app for the rows')
    .option('--fan-in <app>', "run this app over the tasks' outputs at the end")
    .option('--label <text>', 'label of the new batch')
    .option('--max-parallel <n>', 'at most n tasks running at once', intOption)
    .option('--json', 'print the API answer as JSON')
    .addHelpText(
      'after',
      '\nUses BULKRUN_URL, BULKRUN_TOKEN and BULKRUN_JOB_ID, which the server sets for every job.'
    )
    .action(
      action(async function (this: Command, flags: FanoutFlags) {
        const globals = this.optsWithGlobals<GlobalOptions>();
        const url = globals.url ?? process.env.BULKRUN_URL;
        const token = globals.token ?? process.env.BULKRUN_TOKEN;
        const jobId = process.env.BULKRUN_JOB_ID;
        if (!url || !jobId) {
          throw new UsageError(
            'fanout runs inside a Bulkrun job: BULKRUN_URL and BULKRUN_JOB_ID must be set'
          );
        }
        if (!!flags.spec === !!flags.rows)
          throw new UsageError('give exactly one of --spec FILE or --rows FILE');
        const file = (flags.spec ?? flags.rows)!;
        const client = new ApiClient(url, token);
        let spec = readSpecFile(file);
        if (flags.rows && spec.kind !== 'rows') {
          throw new UsageError(`${file}: --rows needs a CSV/TSV file or a JSON/YAML array of rows`);
        }
        spec = await typedRows(
          client,
          spec,
          flags.app ?? (spec.kind === 'batch' ? spec.body.app : undefined)
        );
        const body = buildBatchBody(spec, flags, file, `fan-out of ${jobId}`);
        let res: { batch: BatchRecord; jobIds: string[] };
        try {
          body.baseDir ??= process.cwd();
          res = await postFanout(client, jobId, body);
        } catch (e) {
          process.stderr.write(
            `${formatError(e, { lines: spec.kind === 'rows' ? spec.lines : undefined })}\n`
          );
          return 1;
        }
        if (flags.json) printJson(res);
        else {
          process.stdout.write(`${res.batch.id}\n`);
          process.stderr.write(
            `fanned out ${res.jobIds.length} tasks of ${body.app}${body.fanIn ? ` with fan-in ${body.fanIn.app}` : ''}\n`
          );
        }
        return 0;
      })
    );
}
