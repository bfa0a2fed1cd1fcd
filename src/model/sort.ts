/**
 * Sorting for the cell's tables (the Status tab's task table and the Results table):
 * click a column header to sort by it ascending, again for descending. Numbers sort
 * numerically, text in natural order ("file2" before "file10"), blanks last in both
 * directions, and equal values keep their order (stable).
 */
import type { JobRecord, JobStatus } from '../api/types';
import { runtimeMs } from './summary';

export type SortDir = 'asc' | 'desc';

export interface SortState {
  key: string;
  dir: SortDir;
}

export type SortValue = string | number | boolean | null | undefined;

/** The order a status sorts in: its place in the lifecycle. */
export const STATUS_ORDER: Record<JobStatus, number> = {
  created: 0,
  queued: 1,
  running: 2,
  completed: 3,
  error: 4,
  terminated: 5,
};

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function isBlank(v: SortValue): boolean {
  return v === null || v === undefined || v === '' || (typeof v === 'number' && isNaN(v));
}

/**
 * Compares two values ascending: numbers (and booleans, false before true) before text,
 * numbers by value, text naturally. Blanks are not ordered here: see `sortBy`.
 */
export function compareValues(a: SortValue, b: SortValue): number {
  const na = typeof a === 'number' || typeof a === 'boolean';
  const nb = typeof b === 'number' || typeof b === 'boolean';
  if (na && nb) {
    return Number(a) - Number(b);
  }
  if (na !== nb) {
    return na ? -1 : 1;
  }
  return collator.compare(String(a), String(b));
}

/**
 * A sorted copy of `items` by `value` (computed once per item), ascending or descending;
 * blank values (null, undefined, '', NaN) go last either way; ties keep input order.
 */
export function sortBy<T>(items: readonly T[], value: (t: T) => SortValue, dir: SortDir): T[] {
  const sign = dir === 'desc' ? -1 : 1;
  const keyed = items.map((item, i) => ({ item, i, v: value(item) }));
  keyed.sort((x, y) => {
    const bx = isBlank(x.v);
    const by = isBlank(y.v);
    if (bx || by) {
      return bx === by ? x.i - y.i : bx ? 1 : -1;
    }
    return sign * compareValues(x.v, y.v) || x.i - y.i;
  });
  return keyed.map(k => k.item);
}

/** The sort after clicking the header of column `key`: a new column sorts ascending. */
export function nextSort(cur: SortState | null, key: string): SortState {
  if (cur && cur.key === key) {
    return { key, dir: cur.dir === 'asc' ? 'desc' : 'asc' };
  }
  return { key, dir: 'asc' };
}

/** The `aria-sort` value of the header of column `key`. */
export function ariaSort(cur: SortState | null, key: string): 'ascending' | 'descending' | 'none' {
  if (!cur || cur.key !== key) {
    return 'none';
  }
  return cur.dir === 'asc' ? 'ascending' : 'descending';
}

/** The Status tab's sortable columns. */
export type StatusSortKey = 'row' | 'status' | 'time' | 'memory' | 'exit' | 'tries';

export const STATUS_SORT_KEYS: readonly StatusSortKey[] = [
  'row',
  'status',
  'time',
  'memory',
  'exit',
  'tries',
];

/** A row of the Status tab's table: the row index and its newest attempt. */
export interface IndexedJob {
  index: number;
  job: JobRecord;
}

/** The value of one Status-tab column for one row (`now` measures running rows). */
export function statusSortValue(row: IndexedJob, key: StatusSortKey, now: number): SortValue {
  const { job } = row;
  switch (key) {
    case 'row':
      return row.index;
    case 'status':
      return STATUS_ORDER[job.status] ?? null;
    case 'time':
      return runtimeMs(job, now);
    case 'memory':
      return job.usage?.maxRssBytes ?? null;
    case 'exit':
      return job.exitCode ?? null;
    case 'tries':
      return job.attempt;
  }
}

/** Rows sorted for the Status tab; unsorted (null) keeps row order. */
export function sortStatusRows<T extends IndexedJob>(
  rows: readonly T[],
  sort: SortState | null,
  now: number
): T[] {
  if (!sort || !(STATUS_SORT_KEYS as readonly string[]).includes(sort.key)) {
    return rows.slice();
  }
  const key = sort.key as StatusSortKey;
  return sortBy(rows, r => statusSortValue(r, key, now), sort.dir);
}
