/**
 * `bulkrun status ID`: a batch's counts and failed rows, or one job's fields; with
 * `--depth N` the rows as a tree, each fanned-out row's sub-batch under it
 * (protocol/records.ts `JobRecord.children`: the sub-batch's id is the row's job id).
 */
import type { Command } from 'commander';
import type { BatchRecord, JobRecord } from '../../protocol/records';
import { UsageError, type ApiClient } from '../client';
import {
  action,
  clientFrom,
  exitCodeFor,
  intOption,
  printJson,
  type GlobalOptions,
} from '../context';
import {
  batchHeader,
  countsTable,
  duration,
  jobFields,
  jobsTree,
  pickTreeRows,
  statusText,
  summaryLine,
  table,
  truncate,
  type JobTreeLevel,
  type JobTreeRow,
} from '../format';
import { watchRecord, type Watched } from '../watch';

/** Rows beyond this are not scanned just to count retries. */
const RETRY_SCAN_LIMIT = 20000;

/** Rows per (sub-)batch in the tree without --jobs (sub-batches nest at most 4 deep). */
const TREE_CAP = 40;
const MAX_LEVELS = 5;

/** Every row's newest attempt (and the fan-in), following cursors. */
export async function batchJobs(
  client: ApiClient,
  id: string,
  opts: { status?: string; max?: number } = {}
): Promise<JobRecord[]> {
  const out: JobRecord[] = [];
  let cursor: string | undefined;
  const max = opts.max ?? Infinity;
  do {
    const page = await client.get<{ jobs: JobRecord[]; nextCursor: string | null }>(
      `/batches/${encodeURIComponent(id)}/jobs`,
      { status: opts.status, limit: Math.min(1000, max - out.length), cursor }
    );
    out.push(...page.jobs);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && out.length < max);
  return out;
}

/** How many rows were retried (their newest attempt is not the first). */
export async function retriedRows(client: ApiClient, id: string): Promise<number> {
  const b = await client.get<BatchRecord>(`/jobs/${encodeURIComponent(id)}`);
  if (!b.batchJob || b.total > RETRY_SCAN_LIMIT) return 0;
  const jobs = await batchJobs(client, id);
  return jobs.filter(j => j.role === 'task' && j.attempt > 1).length;
}

export function jobsTable(jobs: JobRecord[]): string {
  return table(
    ['row', 'job', 'status', 'attempt', 'runtime', 'detail'],
    jobs.map(j => [
      j.role === 'fan_in' ? 'fan-in' : String(j.index ?? '-'),
      j.id,
      statusText(j),
      String(j.attempt),
      duration(j),
      truncate(j.error?.message ?? '', 80),
    ])
  );
}

/**
 * A (sub-)batch's rows down to `levels` levels (1: its own rows only); `jobs` are its
 * rows when already read. A sub-batch is listed with GET /batches/{row job id}/jobs.
 */
export async function jobTree(
  client: ApiClient,
  id: string,
  levels: number,
  all: boolean,
  jobs?: JobRecord[]
): Promise<JobTreeLevel> {
  const { shown, omitted } = pickTreeRows(jobs ?? (await batchJobs(client, id)), all, TREE_CAP);
  const rows: JobTreeRow[] = [];
  for (const job of shown) {
    const sub =
      levels > 1 && job.children ? await jobTree(client, job.id, levels - 1, all) : undefined;
    rows.push({ job, sub });
  }
  return { batchId: id, rows, omitted };
}

async function renderBatch(
  client: ApiClient,
  b: BatchRecord,
  all: boolean,
  light = false,
  depth = 1
): Promise<string> {
  const lines = [batchHeader(b), '', countsTable(b.counts, b.total), ''];
  const tree = depth > 1;
  const jobs = all || tree ? await batchJobs(client, b.id) : [];
  // While watching, retries are not counted: that reads every row.
  const retried =
    all || tree
      ? jobs.filter(j => j.role === 'task' && j.attempt > 1).length
      : light
        ? 0
        : await retriedRows(client, b.id);
  lines.push(summaryLine(b.counts, retried));
  if (b.fanInJobId) {
    const f = await client.get<JobRecord>(`/jobs/${encodeURIComponent(b.fanInJobId)}`);
    const out =
      f.output === null || f.output === undefined
        ? ''
        : `, output ${truncate(JSON.stringify(f.output), 200)}`;
    lines.push(`fan-in ${f.id}: ${statusText(f)}${out}`);
  }
  if (tree) {
    lines.push('', jobsTree(await jobTree(client, b.id, depth, all, jobs)));
  } else if (all) {
    lines.push('', jobsTable(jobs));
  } else if (b.counts.error || b.counts.terminated) {
    const failed = [
      ...(await batchJobs(client, b.id, { status: 'error', max: 20 })),
      ...(await batchJobs(client, b.id, { status: 'terminated', max: 20 })),
    ];
    if (failed.length) {
      lines.push(
        '',
        'failed or cancelled rows (bulkrun logs JOB --stderr; bulkrun retry --batch ID):'
      );
      lines.push(
        jobsTable(failed.sort((x, y) => (x.index ?? 1e12) - (y.index ?? 1e12)).slice(0, 20))
      );
    }
  }
  return lines.join('\n');
}

async function render(
  client: ApiClient,
  rec: Watched,
  all: boolean,
  light = false,
  depth = 1
): Promise<string> {
  const b = rec as BatchRecord;
  return b.batchJob ? renderBatch(client, b, all, light, depth) : jobFields(rec);
}

/** The tree as JSON: each fanned-out row gets `subJobs`, its sub-batch's rows. */
function treeJson(level: JobTreeLevel): unknown[] {
  return level.rows.map(r => (r.sub ? { ...r.job, subJobs: treeJson(r.sub) } : r.job));
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('Show a batch (counts, summary, failed rows) or a job (all fields)')
    .argument('<id>', 'batch or job id')
    .option('--watch', 'keep showing changes until it is finished')
    .option('--jobs', 'for a batch: list every row')
    .option(
      '--depth <n>',
      'for a batch: rows as a tree, n levels deep (sub-batches of rows that fanned out)',
      intOption,
      1
    )
    .option('--json', 'print the record as JSON')
    .action(
      action(async function (
        this: Command,
        id: string,
        flags: { watch?: boolean; jobs?: boolean; json?: boolean; depth: number }
      ) {
        if (flags.depth < 1)
          throw new UsageError(`--depth must be at least 1 (got ${flags.depth})`);
        const depth = Math.min(flags.depth, MAX_LEVELS);
        const client = clientFrom(this.optsWithGlobals<GlobalOptions>());
        const rec = await client.get<Watched>(`/jobs/${encodeURIComponent(id)}`);
        const isBatch = !!(rec as BatchRecord).batchJob;
        if (!flags.watch) {
          if (flags.json)
            printJson(
              isBatch && depth > 1
                ? { ...rec, jobs: treeJson(await jobTree(client, id, depth, true)) }
                : flags.jobs && isBatch
                  ? { ...rec, jobs: await batchJobs(client, id) }
                  : rec
            );
          else process.stdout.write(`${await render(client, rec, !!flags.jobs, false, depth)}\n`);
          return 0;
        }
        const tty = process.stdout.isTTY && !flags.json;
        let last = '';
        let latest: Watched = rec;
        let dirty = false;
        let drawing: Promise<void> | null = null;
        const draw = async () => {
          const r = latest;
          const b = r as BatchRecord;
          let text: string;
          if (flags.json) text = JSON.stringify(r);
          else if (tty) text = await render(client, r, !!flags.jobs, true, depth);
          else text = b.batchJob ? `${b.status}: ${summaryLine(b.counts)}` : statusText(r);
          if (text === last) return;
          last = text;
          process.stdout.write(tty ? `\x1b[H\x1b[2J${text}\n` : `${text}\n`);
        };
        // Redraws at most once a second on a terminal (a redraw reads the failed rows).
        const show = (r: Watched) => {
          latest = r;
          dirty = true;
          drawing ??= (async () => {
            while (dirty) {
              dirty = false;
              await draw();
              if (tty) await new Promise(res => setTimeout(res, 1000));
            }
            drawing = null;
          })();
        };
        show(rec);
        const final = await watchRecord(client, id, { onUpdate: show });
        dirty = false;
        await drawing;
        latest = final;
        if (tty) {
          process.stdout.write(
            `\x1b[H\x1b[2J${await render(client, final, !!flags.jobs, false, depth)}\n`
          );
        } else {
          await draw();
          if (!flags.json)
            process.stdout.write(`${await render(client, final, !!flags.jobs, false, depth)}\n`);
        }
        return exitCodeFor(final.status);
      })
    );
}
