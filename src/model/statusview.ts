/**
 * The Status tab's task table (src/cell/StatusTab.tsx): which rows a status filter and
 * a search text show, in the chosen sort, with the expanded rows' earlier attempts and
 * sub-batch rows (src/model/subbatch.ts) under them; what each line offers; keyboard
 * moves; and the tab's words.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import type { BatchCounts, BatchRecord, JobRecord, JobStatus } from '../api/types';
import { isTerminal, JOB_STATUSES } from '../api/types';
import { sortStatusRows, type IndexedJob, type SortState } from './sort';
import { childrenOf, MAX_DEPTH, type SubBatches } from './subbatch';
import { remainingText } from './summary';

export type StatusFilter = 'all' | JobStatus;

/** The filter chips, left to right. */
export const STATUS_FILTERS: readonly StatusFilter[] = ['all', ...JOB_STATUSES];

/**
 * A line of the table: a row (its newest attempt), an earlier attempt of an expanded
 * row, a row of an expanded row's sub-batch (`child`; its fan-in too), or the line that
 * ends a sub-batch still loading, failed to load, with more pages, or empty (`more`).
 */
export interface StatusItem {
  kind: 'row' | 'attempt' | 'child' | 'more';
  /** The row's index in its own batch (-1: a sub-batch's fan-in, or a `more` line). */
  index: number;
  /** For `more`: the row that owns the sub-batch. */
  job: JobRecord;
  /** How deep in sub-batches: 0 for the batch's own rows and attempts. */
  depth?: number;
  /** `child` and `more`: the sub-batch's id (the owning row's job id). */
  parent?: string;
  more?: {
    state: 'loading' | 'error' | 'more' | 'empty';
    loaded: number;
    total: number;
    error?: string;
  };
}

/** Expanded rows: their attempts, oldest first, or null while they load. */
export type ExpandedRows = ReadonlyMap<number, JobRecord[] | null>;

export interface StatusQuery {
  filter: StatusFilter;
  text: string;
  sort: SortState | null;
  expanded: ExpandedRows;
  /** The loaded sub-batches, by id. */
  subs?: SubBatches;
  /** Nested rows whose sub-batch is open, by job id. */
  open?: ReadonlySet<string>;
}

/** A line's identity across re-sorts and refilters (attempts have their own job ids). */
export const itemKey = (it: StatusItem): string => `${it.kind}-${it.job.id}`;

/** Whether the line's row is expanded (rows by index, nested rows by job id). */
export function isOpen(it: StatusItem, expanded: ExpandedRows, open: ReadonlySet<string>): boolean {
  return it.kind === 'row' ? expanded.has(it.index) : it.kind === 'child' && open.has(it.job.id);
}

/** The DOM id of line `i`, for `aria-activedescendant`; unique per batch. */
export const itemDomId = (batchId: string, i: number): string => `bulkrun-${batchId}-item-${i}`;

/**
 * Whether row `index` passes the filter and the search `q` (trimmed, lower case): the
 * row number, job id, parameter values and error message are searched.
 */
export function rowMatches(
  job: JobRecord,
  index: number,
  filter: StatusFilter,
  q: string
): boolean {
  if (filter !== 'all' && job.status !== filter) {
    return false;
  }
  if (!q) {
    return true;
  }
  const hay =
    `${index + 1} ${job.id} ${Object.values(job.params ?? {}).join(' ')} ${job.error?.message ?? ''}`.toLowerCase();
  return hay.includes(q);
}

/** The table's lines; `now` measures running rows when sorting by time. */
export function statusItems(
  rows: readonly (JobRecord | undefined)[],
  query: StatusQuery,
  now: number
): StatusItem[] {
  const q = query.text.trim().toLowerCase();
  const shown: IndexedJob[] = [];
  rows.forEach((job, index) => {
    if (job && rowMatches(job, index, query.filter, q)) {
      shown.push({ index, job });
    }
  });
  const out: StatusItem[] = [];
  const subs: SubBatches = query.subs ?? new Map();
  const open = query.open ?? new Set<string>();
  // Expanded attempts stay under their row, newest first, whatever the row order; then
  // the sub-batch's rows in their own order (filters and sorts apply to the top rows).
  for (const { index, job } of sortStatusRows(shown, query.sort, now)) {
    out.push({ kind: 'row', index, job });
    if (!query.expanded.has(index)) {
      continue;
    }
    const hist = query.expanded.get(index);
    if (hist) {
      for (const a of hist.slice().reverse()) {
        if (a.id !== job.id) {
          out.push({ kind: 'attempt', index, job: a });
        }
      }
    }
    if (childrenOf(job)) {
      subBatchItems(out, job, 1, subs, open);
    }
  }
  return out;
}

/** The lines of `owner`'s sub-batch at `depth`, open nested rows recursively. */
function subBatchItems(
  out: StatusItem[],
  owner: JobRecord,
  depth: number,
  subs: SubBatches,
  open: ReadonlySet<string>
): void {
  const s = subs.get(owner.id);
  const total = childrenOf(owner)?.total ?? 0;
  const parent = owner.id;
  const push = (job: JobRecord) => {
    out.push({
      kind: 'child',
      index: job.role === 'fan_in' ? -1 : (job.index ?? -1),
      job,
      depth,
      parent,
    });
    if (open.has(job.id) && childrenOf(job) && depth < MAX_DEPTH) {
      subBatchItems(out, job, depth + 1, subs, open);
    }
  };
  for (const r of s?.rows ?? []) {
    push(r);
  }
  const loaded = s?.rows.length ?? 0;
  const state =
    !s || s.state === 'loading'
      ? 'loading'
      : s.state === 'error'
        ? 'error'
        : s.nextCursor
          ? 'more'
          : loaded || s.fanIn
            ? null
            : 'empty';
  if (state) {
    out.push({
      kind: 'more',
      index: -1,
      job: owner,
      depth,
      parent,
      more: { state, loaded, total, error: s?.error || undefined },
    });
  }
  if (s?.fanIn) {
    push(s.fanIn);
  }
}

/** The clock a sort needs: only a time sort of a running batch follows it. */
export function sortClock(sort: SortState | null, active: boolean, now: number): number {
  return sort?.key === 'time' && active ? now : 0;
}

/** Expands row `index` (its attempts still to load) or collapses it. */
export function toggleExpanded(
  expanded: ExpandedRows,
  index: number
): Map<number, JobRecord[] | null> {
  const next = new Map(expanded);
  if (next.has(index)) {
    next.delete(index);
  } else {
    next.set(index, null);
  }
  return next;
}

/** The expanded rows once row `index`'s attempts arrived. */
export function withAttempts(
  expanded: ExpandedRows,
  index: number,
  attempts: JobRecord[]
): Map<number, JobRecord[] | null> {
  return new Map(expanded).set(index, attempts);
}

/** The line a navigation key moves to from `active` among `count`; null for other keys. */
export function navigate(key: string, active: number, count: number): number | null {
  const last = count - 1;
  switch (key) {
    case 'ArrowDown':
      return Math.min(last, active + 1);
    case 'ArrowUp':
      return Math.max(0, active - 1);
    case 'PageDown':
      return Math.min(last, active + 10);
    case 'PageUp':
      return Math.max(0, active - 10);
    case 'Home':
      return 0;
    case 'End':
      return last;
    default:
      return null;
  }
}

export const canCancel = (job: JobRecord): boolean => !isTerminal(job.status);
export const canRetry = (job: JobRecord): boolean =>
  job.status === 'error' || job.status === 'terminated';

/**
 * What a line offers: rows act and expand (earlier attempts, sub-batch); sub-batch rows
 * cancel, retry and expand their own sub-batch, but edit-and-rerun is the batch's (its
 * app and grid); attempts are history.
 */
export function itemActions(it: StatusItem): {
  expandable: boolean;
  cancel: boolean;
  retry: boolean;
  edit: boolean;
} {
  const isRow = it.kind === 'row';
  const acts = isRow || it.kind === 'child';
  return {
    expandable: isRow
      ? it.job.attempt > 1 || !!childrenOf(it.job)
      : it.kind === 'child' && !!childrenOf(it.job) && (it.depth ?? 0) < MAX_DEPTH,
    cancel: acts && canCancel(it.job),
    retry: acts && canRetry(it.job),
    edit: isRow && canRetry(it.job),
  };
}

/** The line's classes: its status colour, attempt or sub-batch indent, keyboard focus. */
export function itemClass(it: StatusItem, active: boolean): string {
  const kind =
    it.kind === 'row'
      ? ''
      : it.kind === 'attempt'
        ? ' jp-mod-attempt'
        : ` jp-mod-child${it.kind === 'more' ? ' jp-mod-more' : ''}`;
  const status = it.kind === 'more' ? '' : ` jp-Bulkrun-row-${it.job.status}`;
  return `jp-Bulkrun-table-row${status}${kind}${active ? ' jp-mod-active' : ''}`;
}

/** A row's key parameters (or its first three) joined for the Parameters column. */
export function paramSummary(job: JobRecord, keys: readonly string[]): string {
  return (keys.length ? keys : Object.keys(job.params ?? {}).slice(0, 3))
    .map(k => job.params?.[k])
    .filter(v => v !== undefined && v !== null && v !== '')
    .map(v => (typeof v === 'object' ? JSON.stringify(v) : String(v)))
    .join(' · ');
}

/** How many rows a filter chip stands for. */
export function filterCount(f: StatusFilter, counts: BatchCounts, total: number): number {
  return f === 'all' ? total : counts[f];
}

/** "12 of 40 done", with the time left while it is known. */
export function progressText(
  counts: BatchCounts,
  total: number,
  eta: number | null,
  trans: TranslationBundle
): string {
  const done = counts.completed + counts.error + counts.terminated;
  return (
    trans.__('%1 of %2 done', done, total) + (eta !== null ? ' · ' + remainingText(eta, trans) : '')
  );
}

/** The log panel's title for an attempt of row `index`. */
export function logTitle(index: number, job: JobRecord, trans: TranslationBundle): string {
  return trans.__('Row %1, attempt %2', index + 1, job.attempt);
}

/** The log panel's title for any line (a sub-batch row names its sub-task number). */
export function itemLogTitle(it: StatusItem, trans: TranslationBundle): string {
  if (it.kind !== 'child') {
    return logTitle(it.index, it.job, trans);
  }
  return it.job.role === 'fan_in'
    ? trans.__('Sub-batch fan-in, attempt %1', it.job.attempt)
    : trans.__('Sub-task %1, attempt %2', it.index + 1, it.job.attempt);
}

/** The expander's label: what it shows or hides. */
export function expandLabel(it: StatusItem, open: boolean, trans: TranslationBundle): string {
  const subs = !!childrenOf(it.job);
  const attempts = it.kind === 'row' && it.job.attempt > 1;
  if (subs && attempts) {
    return open ? trans.__('Hide attempts and sub-tasks') : trans.__('Show attempts and sub-tasks');
  }
  if (subs) {
    return open ? trans.__('Hide sub-tasks') : trans.__('Show sub-tasks');
  }
  return open ? trans.__('Hide attempts') : trans.__('Show attempts');
}

/** The words of a `more` line. */
export function moreText(more: NonNullable<StatusItem['more']>, trans: TranslationBundle): string {
  switch (more.state) {
    case 'loading':
      return trans.__('Loading sub-tasks…');
    case 'error':
      return trans.__('Could not load the sub-tasks: %1', more.error ?? '');
    case 'empty':
      return trans.__('No sub-tasks yet.');
    case 'more':
      return trans.__('%1 of %2 sub-tasks shown', more.loaded, more.total);
  }
}

/** "Fan-in", or "Fan-in (run 2)" once it ran again. */
export function fanInTitle(fanIn: JobRecord, trans: TranslationBundle): string {
  return fanIn.attempt > 1 ? trans.__('Fan-in (run %1)', fanIn.attempt) : trans.__('Fan-in');
}

/** When a declared fan-in that has no job yet will start. */
export function fanInPendingText(
  fanIn: NonNullable<BatchRecord['fanIn']>,
  trans: TranslationBundle
): string {
  return fanIn.when === 'all_completed'
    ? trans.__('Fan-in %1 starts when every row has completed.', fanIn.app)
    : trans.__('Fan-in %1 starts when every row has finished.', fanIn.app);
}
