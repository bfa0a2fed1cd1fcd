/** `bulkrun submit SPEC`: a batch (JSON/YAML body, or CSV rows + --app) or one job. */
import type { Command } from 'commander';
import type { AppDefinition, BatchRecord, BatchSpec, JobRecord } from '../../protocol/records';
import { type ApiClient, ApiRequestError, UsageError } from '../client';
import {
  action,
  clientFrom,
  collect,
  exitCodeFor,
  intOption,
  printJson,
  type GlobalOptions,
} from '../context';
import { formatError, summaryLine } from '../format';
import { createProgress } from '../progress';
import { buildBatchBody, coerceRow, readSpecFile, type LoadedSpec, type Row } from '../spec';
import { watchRecord } from '../watch';
import { retriedRows } from './status';

interface SubmitFlags {
  app?: string;
  fanIn?: string;
  label?: string;
  backend?: string;
  maxParallel?: number;
  priority?: number;
  idempotencyKey?: string;
  set?: string[];
  wait?: boolean;
  json?: boolean;
  progress?: boolean;
}

/** An app definition, or a 400-like error naming the unknown app. */
export async function fetchApp(client: ApiClient, app: string): Promise<AppDefinition> {
  try {
    return await client.get<AppDefinition>(`/apps/${encodeURIComponent(app)}`);
  } catch (e) {
    if (e instanceof ApiRequestError && e.status === 404) {
      throw new ApiRequestError(400, 'unknown_app', `Unknown app '${app}' (see \`bulkrun apps\`)`);
    }
    throw e;
  }
}

/** Types CSV cells by the app's schema (the server validates the result). */
export async function typedRows(
  client: ApiClient,
  spec: LoadedSpec,
  app: string | undefined
): Promise<LoadedSpec> {
  if (spec.kind !== 'rows' || !spec.fromCsv || !app) return spec;
  const def = await fetchApp(client, app);
  return { ...spec, rows: spec.rows.map(r => coerceRow(r, def.parameters)) };
}

/** `--set name=value` pairs, typed by the app's schema like CSV cells. */
async function setValues(
  client: ApiClient,
  app: string,
  pairs: string[] | undefined
): Promise<Row> {
  if (!pairs?.length) return {};
  const raw: Row = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set ${p}: expected name=value`);
    raw[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return coerceRow(raw, (await fetchApp(client, app)).parameters);
}

export function registerSubmit(program: Command): void {
  program
    .command('submit')
    .description('Submit a batch (JSON, YAML or CSV spec) or a single job; prints its id')
    .argument(
      '<spec>',
      'spec file: .json/.yaml (POST /batches or /jobs body) or .csv/.tsv (rows; needs --app)'
    )
    .option('--app <id>', 'app to run (required for CSV; overrides the spec)')
    .option('--fan-in <app>', "run this app over all rows' outputs at the end")
    .option('--label <text>', 'batch label (default: the spec file name)')
    .option(
      '--backend <name>',
      "backend: local, slurm, htcondor or rabbitmq (default: the server's)"
    )
    .option('--max-parallel <n>', 'at most n rows running at once', intOption)
    .option('--priority <n>', 'priority (higher runs first)', intOption)
    .option('--idempotency-key <key>', 'resubmitting with the same key returns the first batch')
    .option(
      '--set <name=value>',
      "a parameter for every row (repeatable; overrides the spec's shared values, rows win)",
      collect
    )
    .option('-w, --wait', 'follow progress until done; exit 0 only if everything completed')
    .option('--no-progress', 'with --wait: no progress output')
    .option('--json', 'print the API answer as JSON')
    .addHelpText(
      'after',
      `
Examples:
  bulkrun submit rows.csv --app demo-echo --fan-in demo-merge --wait
  bulkrun submit rows.csv --app demo-echo --set repeat=3   # repeat=3 for every row
  bulkrun submit batch.yaml          # {app, params: [rows], shared?, fanIn?, ...}
  bulkrun submit job.json            # {app, params: {...}}: one job`
    )
    .action(
      action(async function (this: Command, file: string, flags: SubmitFlags) {
        const client = clientFrom(this.optsWithGlobals<GlobalOptions>());
        let spec = readSpecFile(file);
        if (spec.kind === 'job') {
          if (flags.fanIn || flags.maxParallel !== undefined || flags.label !== undefined) {
            throw new UsageError(
              '--fan-in, --label and --max-parallel apply to batches; this spec is a single job'
            );
          }
          const body = { ...spec.body };
          if (flags.app) body.app = flags.app;
          if (flags.backend) body.backend = flags.backend;
          if (flags.priority !== undefined) body.priority = flags.priority;
          if (!body.app) throw new UsageError(`${file}: no app: add "app" or pass --app`);
          body.params = { ...(await setValues(client, body.app, flags.set)), ...body.params };
          // Relative path parameters mean files under the directory the user is in.
          body.baseDir ??= process.cwd();
          const res = await client.post<{ job: JobRecord }>('/jobs', body);
          if (flags.json && !flags.wait) printJson(res);
          if (!flags.json) {
            process.stdout.write(`${res.job.id}\n`);
            process.stderr.write(`submitted job ${res.job.id} (${res.job.app})\n`);
          }
          if (!flags.wait) return 0;
          return waitAndReport(client, res.job.id, flags);
        }
        spec = await typedRows(
          client,
          spec,
          flags.app ?? (spec.kind === 'batch' ? spec.body.app : undefined)
        );
        const body: BatchSpec = buildBatchBody(spec, flags, file);
        if (flags.set?.length) {
          body.shared = {
            ...(body.shared ?? {}),
            ...(await setValues(client, body.app, flags.set)),
          };
        }
        let res: { batch: BatchRecord; jobIds: string[] };
        try {
          body.baseDir ??= process.cwd();
          res = await client.post('/batches', body);
        } catch (e) {
          // Row numbers from the server are indexes; CSV users think in line numbers.
          const lines = spec.kind === 'rows' ? spec.lines : undefined;
          process.stderr.write(`${formatError(e, { lines })}\n`);
          return 1;
        }
        if (flags.json && !flags.wait) printJson(res);
        if (!flags.json) {
          process.stdout.write(`${res.batch.id}\n`);
          process.stderr.write(
            `submitted batch ${res.batch.id}: ${res.batch.total} rows of ${res.batch.app}` +
              `${res.batch.fanIn ? ` with fan-in ${res.batch.fanIn.app}` : ''}\n`
          );
        }
        if (!flags.wait) return 0;
        return waitAndReport(client, res.batch.id, flags);
      })
    );
}

async function waitAndReport(client: ApiClient, id: string, flags: SubmitFlags): Promise<number> {
  const progress = flags.progress === false || flags.json ? null : createProgress();
  // Ctrl-C stops watching, not the work: the server keeps running it.
  const stop = new AbortController();
  const onSigint = () => stop.abort();
  process.once('SIGINT', onSigint);
  const final = await watchRecord(client, id, {
    onUpdate: r => progress?.update(r),
    signal: stop.signal,
  });
  process.removeListener('SIGINT', onSigint);
  progress?.stop();
  if (stop.signal.aborted) {
    process.stderr.write(
      `\nstopped watching; ${id} keeps running (bulkrun status ${id} --watch)\n`
    );
    return 130;
  }
  const b = final as BatchRecord;
  if (flags.json) {
    printJson(final);
  } else if (b.batchJob) {
    const retried = await retriedRows(client, id);
    process.stderr.write(`batch ${id} ${b.status}: ${summaryLine(b.counts, retried)}\n`);
    if (b.status !== 'completed') process.stderr.write(`  details: bulkrun status ${id}\n`);
  } else {
    const err = final.error ? `: ${final.error.code}: ${final.error.message}` : '';
    process.stderr.write(`job ${id} ${final.status}${err}\n`);
  }
  return exitCodeFor(final.status);
}
