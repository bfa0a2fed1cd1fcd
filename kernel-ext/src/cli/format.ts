/** Human-readable output of the CLI: summary lines, tables, job fields and API errors. */
import type { BatchCounts, BatchRecord, JobRecord } from '../protocol/records';
import { ApiRequestError } from './client';

/** "12 queued, 3 running, 80 completed, 5 failed (2 retried)"; queued includes created. */
export function summaryLine(counts: BatchCounts, retried = 0): string {
  const parts = [
    `${counts.created + counts.queued} queued`,
    `${counts.running} running`,
    `${counts.completed} completed`,
    `${counts.error} failed`,
  ];
  if (counts.terminated) parts.push(`${counts.terminated} cancelled`);
  let s = parts.join(', ');
  if (retried > 0) s += ` (${retried} retried)`;
  return s;
}

export function doneCount(c: BatchCounts): number {
  return c.completed + c.error + c.terminated;
}

/** Aligns columns; the last column is not padded. */
export function table(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map(r => (r[i] ?? '').length)));
  return all
    .map(r =>
      r
        .map((c, i) => (i === r.length - 1 ? c : (c ?? '').padEnd(widths[i])))
        .join('  ')
        .trimEnd()
    )
    .join('\n');
}

export function countsTable(counts: BatchCounts, total: number): string {
  const order: (keyof BatchCounts)[] = [
    'created',
    'queued',
    'running',
    'completed',
    'error',
    'terminated',
  ];
  const rows = order.map(k => {
    const n = counts[k];
    const pct = total ? Math.round((100 * n) / total) : 0;
    return [k, String(n), `${pct}%`];
  });
  rows.push(['total', String(total), '']);
  return table(['status', 'rows', ''], rows);
}

function when(s: string | null | undefined): string {
  return s ? s.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '-';
}

export function duration(
  job: Pick<JobRecord, 'startedAt' | 'finishedAt'>,
  now = Date.now()
): string {
  if (!job.startedAt) return '-';
  const ms = (job.finishedAt ? Date.parse(job.finishedAt) : now) - Date.parse(job.startedAt);
  if (!Number.isFinite(ms) || ms < 0) return '-';
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${Math.round(s % 60)}s`;
  return `${Math.floor(m / 60)}h${m % 60}m`;
}

export function statusText(
  j: Pick<JobRecord, 'status' | 'error' | 'terminatedCode' | 'exitCode'>
): string {
  if (j.status === 'error' && j.error) return `error (${j.error.code})`;
  if (j.status === 'terminated' && j.terminatedCode) return `terminated (${j.terminatedCode})`;
  return j.status;
}

/** One job's fields, one per line. */
export function jobFields(j: JobRecord): string {
  const rows: [string, string][] = [
    ['id', j.id],
    ['app', `${j.app} ${j.appVersion}`],
    ['status', statusText(j)],
    ['role', j.role + (j.batchId ? ` (batch ${j.batchId}, row ${j.index ?? '-'})` : '')],
    ['owner', j.owner],
    ['backend', j.backend + (j.backendJobId ? ` (${j.backendJobId})` : '')],
    ['attempt', String(j.attempt) + (j.retryParent ? ` (retry of ${j.retryParent})` : '')],
    ['created', when(j.createdAt)],
    ['started', when(j.startedAt)],
    ['finished', when(j.finishedAt)],
    ['runtime', duration(j)],
    ['exit code', j.exitCode === null || j.exitCode === undefined ? '-' : String(j.exitCode)],
    ['params', JSON.stringify(j.params)],
    ['resources', JSON.stringify(j.resources)],
    ['work dir', j.workDir],
  ];
  if (j.error) rows.push(['error', `${j.error.code}: ${j.error.message}`]);
  if (j.retryIds?.length) rows.push(['retries', j.retryIds.join(', ')]);
  if (j.output !== null && j.output !== undefined)
    rows.push(['output', truncate(JSON.stringify(j.output), 500)]);
  const w = Math.max(...rows.map(r => r[0].length));
  return rows.map(([k, v]) => `${(k + ':').padEnd(w + 1)} ${v}`).join('\n');
}

/** A fanned-out row's sub-batch: "sub-batch 7/10 done: 1 queued, 2 running, 5 completed, 2 failed". */
export function childrenSummary(c: NonNullable<JobRecord['children']>): string {
  return `sub-batch ${doneCount(c.counts)}/${c.total} done: ${summaryLine(c.counts)}`;
}

/** One (sub-)batch of `bulkrun status --depth N`: the rows shown, and how many were not. */
export interface JobTreeLevel {
  batchId: string;
  rows: JobTreeRow[];
  omitted: number;
}

/** A row, and the rows of its sub-batch when it fanned out and the depth reaches it. */
export interface JobTreeRow {
  job: JobRecord;
  sub?: JobTreeLevel;
}

/**
 * Which rows of a level the tree shows: all of them when asked (--jobs) or when there
 * are at most `cap`; otherwise the ones worth a look (fanned out, failed, cancelled, and
 * the fan-in), at most `cap`, in row order.
 */
export function pickTreeRows(
  jobs: readonly JobRecord[],
  all: boolean,
  cap: number
): { shown: JobRecord[]; omitted: number } {
  if (all || jobs.length <= cap) return { shown: jobs.slice(), omitted: 0 };
  const shown = jobs
    .filter(
      j => j.children || j.role === 'fan_in' || j.status === 'error' || j.status === 'terminated'
    )
    .slice(0, cap);
  return { shown, omitted: jobs.length - shown.length };
}

/**
 * The rows as a tree: each sub-batch's rows under their row, indented, numbered by
 * their path ("3.0" is row 0 of row 3's sub-batch); rows that fanned out say their
 * sub-batch's counts.
 */
export function jobsTree(level: JobTreeLevel): string {
  const rows: string[][] = [];
  const walk = (l: JobTreeLevel, prefix: string, depth: number) => {
    const pad = '  '.repeat(depth);
    for (const { job: j, sub } of l.rows) {
      const own = j.role === 'fan_in' ? 'fan-in' : String(j.index ?? '-');
      const label = prefix ? `${prefix}.${own}` : own;
      const detail = [
        j.children ? childrenSummary(j.children) : '',
        truncate(j.error?.message ?? '', 80),
      ].filter(Boolean);
      rows.push([
        pad + label,
        j.id,
        statusText(j),
        String(j.attempt),
        duration(j),
        detail.join('; '),
      ]);
      if (sub) walk(sub, label, depth + 1);
    }
    if (l.omitted > 0) {
      rows.push([
        `${pad}…`,
        '',
        '',
        '',
        '',
        `${l.omitted} more row${l.omitted === 1 ? '' : 's'} (bulkrun status ${l.batchId} --jobs)`,
      ]);
    }
  };
  walk(level, '', 0);
  return table(['row', 'job', 'status', 'attempt', 'runtime', 'detail'], rows);
}

export function batchHeader(b: BatchRecord): string {
  const lines = [
    `batch ${b.id}${b.label ? `  "${b.label}"` : ''}`,
    `app ${b.app} ${b.appVersion}, ${b.total} rows, backend ${b.backend}, status ${statusText(b)}`,
    `created ${when(b.createdAt)}${b.finishedAt ? `, finished ${when(b.finishedAt)}` : ''}`,
  ];
  if (b.fanIn) {
    lines.push(
      `fan-in ${b.fanIn.app} (${b.fanIn.when})${b.fanInJobId ? `: job ${b.fanInJobId}` : ': not started'}`
    );
  }
  return lines.join('\n');
}

export function truncate(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

interface DetailRow {
  row?: number | null;
  field?: string;
  message?: string;
}

/**
 * An API error for people: the message, then one line per validation problem
 * ("row 3 (line 5): message: must be a string"). `lines` maps row index → source line.
 */
export function formatError(
  err: unknown,
  opts: { lines?: number[]; maxDetails?: number } = {}
): string {
  if (!(err instanceof ApiRequestError)) return `error: ${(err as Error)?.message ?? String(err)}`;
  const details = Array.isArray(err.details) ? (err.details as DetailRow[]) : null;
  const tag = err.status ? ` [${err.status} ${err.code}]` : '';
  // The message repeats the first problems; with details, the list below says it all.
  const head =
    details && details.length
      ? `${err.message.split(':')[0]}: ${details.length} problem${details.length === 1 ? '' : 's'}`
      : err.message;
  const out = [`error: ${head}${tag}`];
  if (details && details.length) {
    const max = opts.maxDetails ?? 50;
    for (const d of details.slice(0, max)) {
      if (typeof d !== 'object' || d === null) {
        out.push(`  ${JSON.stringify(d)}`);
        continue;
      }
      const where: string[] = [];
      if (d.row !== null && d.row !== undefined) {
        const line = opts.lines?.[d.row];
        where.push(`row ${d.row}${line ? ` (line ${line})` : ''}`);
      }
      if (d.field) where.push(d.field);
      out.push(`  ${where.join(', ')}${where.length ? ': ' : ''}${d.message ?? ''}`);
    }
    if (details.length > max) out.push(`  … and ${details.length - max} more`);
  } else if (err.details !== undefined && err.details !== null) {
    out.push(`  ${truncate(JSON.stringify(err.details), 1000)}`);
  }
  return out.join('\n');
}
