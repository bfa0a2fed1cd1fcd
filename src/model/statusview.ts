/**
 * The Status tab's task table (src/cell/StatusTab.tsx): which rows a status filter and
 * a search text show, in the chosen sort, with the expanded rows' earlier attempts under
 * them; what each line offers; keyboard moves; and the tab's words.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import type { BatchCounts, BatchRecord, JobRecord, JobStatus } from '../api/types';
import { isTerminal, JOB_STATUSES } from '../api/types';
import { sortStatusRows, type IndexedJob, type SortState } from './sort';
import { remainingText } from './summary';

export type StatusFilter = 'all' | JobStatus;

/** The filter chips, left to right. */
export const STATUS_FILTERS: readonly StatusFilter[] = ['all', ...JOB_STATUSES];

/** A line of the table: a row (its newest attempt) or an earlier attempt of an expanded row. */
export interface StatusItem {
  kind: 'row' | 'attempt';
  index: number;
  job: JobRecord;
}

/** Expanded rows: their attempts, oldest first, or null while they load. */
export type ExpandedRows = ReadonlyMap<number, JobRecord[] | null>;

export interface StatusQuery {
  filter: StatusFilter;
  text: string;
  sort: SortState | null;
  expanded: ExpandedRows;
}

/** A line's identity across re-sorts and refilters (attempts have their own job ids). */
export const itemKey = (it: StatusItem): string => `${it.kind}-${it.job.id}`;

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
  // Expanded attempts stay under their row, newest first, whatever the row order.
  for (const { index, job } of sortStatusRows(shown, query.sort, now)) {
    out.push({ kind: 'row', index, job });
    const hist = query.expanded.get(index);
    if (hist) {
      for (const a of hist.slice().reverse()) {
        if (a.id !== job.id) {
          out.push({ kind: 'attempt', index, job: a });
        }
      }
    }
  }
  return out;
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

/** What a line offers: only rows act, attempts are history. */
export function itemActions(it: StatusItem): {
  expandable: boolean;
  cancel: boolean;
  retry: boolean;
  edit: boolean;
} {
  const isRow = it.kind === 'row';
  return {
    expandable: isRow && it.job.attempt > 1,
    cancel: isRow && canCancel(it.job),
    retry: isRow && canRetry(it.job),
    edit: isRow && canRetry(it.job),
  };
}

/** The line's classes: its status colour, attempt indent, keyboard focus. */
export function itemClass(it: StatusItem, active: boolean): string {
  return `jp-Bulkrun-table-row jp-Bulkrun-row-${it.job.status}${it.kind === 'row' ? '' : ' jp-mod-attempt'}${active ? ' jp-mod-active' : ''}`;
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
