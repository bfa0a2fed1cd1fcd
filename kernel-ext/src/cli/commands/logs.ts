/** `bulkrun logs ID [-f]`: a job's stdout (or stderr), following it until the job ends. */
import type { Command } from 'commander';
import type { JobRecord, LogChunk } from '../../protocol/records';
import { isTerminal } from '../../protocol/records';
import type { ApiClient } from '../client';
import { action, clientFrom, type GlobalOptions } from '../context';

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** Writes the log from `offset` on; with follow, keeps reading until the job is terminal. */
export async function streamLog(
  client: ApiClient,
  id: string,
  stream: 'stdout' | 'stderr',
  opts: { follow?: boolean; offset?: number; out?: NodeJS.WritableStream; intervalMs?: number } = {}
): Promise<number> {
  const out = opts.out ?? process.stdout;
  let offset = opts.offset ?? 0;
  const path = `/jobs/${encodeURIComponent(id)}/logs`;
  for (;;) {
    const chunk = await client.get<LogChunk>(path, { stream, offset });
    if (chunk.data) out.write(chunk.data);
    offset = chunk.nextOffset;
    if (!chunk.eof) continue;
    if (!opts.follow) return offset;
    const job = await client.get<JobRecord>(`/jobs/${encodeURIComponent(id)}`);
    if (isTerminal(job.status)) {
      // Whatever the job wrote between the last read and its end.
      for (;;) {
        const rest = await client.get<LogChunk>(path, { stream, offset });
        if (rest.data) out.write(rest.data);
        offset = rest.nextOffset;
        if (rest.eof || !rest.data) return offset;
      }
    }
    await sleep(opts.intervalMs ?? 500);
  }
}

export function registerLogs(program: Command): void {
  program
    .command('logs')
    .description("Print a job's output (stdout, or stderr with --stderr)")
    .argument('<id>', 'job id')
    .option('-f, --follow', 'keep printing new output until the job ends')
    .option('--stderr', 'the standard error stream instead of standard output')
    .option('--offset <bytes>', 'start at this byte offset', v => Number(v))
    .action(
      action(async function (
        this: Command,
        id: string,
        flags: { follow?: boolean; stderr?: boolean; offset?: number }
      ) {
        const client = clientFrom(this.optsWithGlobals<GlobalOptions>());
        const job = await client.get<JobRecord & { batchJob?: boolean }>(
          `/jobs/${encodeURIComponent(id)}`
        );
        if (job.batchJob && !job.queuedAt && !job.backendJobId) {
          // A submitted batch's parent never runs; a fan-out job (which became a batch) did.
          process.stderr.write(
            `error: ${id} is a batch: its rows have the logs (\`bulkrun status ${id} --jobs\` lists them)\n`
          );
          return 1;
        }
        await streamLog(client, id, flags.stderr ? 'stderr' : 'stdout', {
          follow: flags.follow,
          offset: flags.offset,
        });
        return 0;
      })
    );
}
