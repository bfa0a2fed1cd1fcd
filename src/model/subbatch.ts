/**
 * Nested fan-out (kernel-ext/src/protocol/records.ts, `JobRecord.children`): a row that
 * fanned out owns a sub-batch whose id is the row's job id. This is the pure part of
 * showing it: the inline progress, one sub-batch as loaded page by page and kept live by
 * its rows' events, and which sub-batches the open rows need.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import type { BatchCounts, JobEvent, JobRecord, JobStatus } from '../api/types';
import { summaryLine } from './summary';

/** A fanned-out job's sub-batch, as its record carries it. */
export interface ChildSummary {
  total: number;
  counts: BatchCounts;
  fanInJobId: string | null;
}

/** Sub-batches nest at most this deep (the engine's limit). */
export const MAX_DEPTH = 4;

/** Rows per page when a sub-batch is listed. */
export const SUB_PAGE = 500;

/**
 * The job's sub-batch, or null when it did not fan out. Read through a cast: the
 * extension's types come from the server build, which may predate `children`.
 */
export function childrenOf(job: Partial<JobRecord> | null | undefined): ChildSummary | null {
  const c = (job as { children?: ChildSummary | null } | null | undefined)?.children;
  return c && typeof c.total === 'number' && c.counts ? c : null;
}

export const doneOf = (c: BatchCounts): number => c.completed + c.error + c.terminated;

/** "7/10": finished sub-tasks of all. */
export function childProgressText(c: ChildSummary): string {
  return `${doneOf(c.counts).toLocaleString()}/${c.total.toLocaleString()}`;
}

/** The inline bar's segments, finished first (as the batch's own bar, src/components/status.tsx). */
const SEGMENT_ORDER: JobStatus[] = ['completed', 'error', 'terminated', 'running', 'queued'];

export function childSegments(c: ChildSummary): { status: JobStatus; pct: number }[] {
  const counts = { ...c.counts, queued: c.counts.queued + c.counts.created };
  const total = Math.max(1, c.total, doneOf(c.counts) + c.counts.running + counts.queued);
  return SEGMENT_ORDER.filter(s => counts[s] > 0).map(s => ({
    status: s,
    pct: (100 * counts[s]) / total,
  }));
}

/** The inline progress's tooltip: "Sub-batch: 7 of 10 done · 3 running, 5 completed, 2 failed". */
export function childTitle(c: ChildSummary, trans: TranslationBundle): string {
  return (
    trans.__('Sub-batch: %1 of %2 done', doneOf(c.counts), c.total) +
    ' · ' +
    summaryLine(c.counts, 0, trans)
  );
}

/** One sub-batch as loaded so far: its rows' newest attempts in row order, and its fan-in. */
export interface SubBatch {
  id: string;
  rows: JobRecord[];
  fanIn: JobRecord | null;
  /** The next page's cursor; null once every row is loaded. */
  nextCursor: string | null;
  state: 'loading' | 'ready' | 'error';
  error: string;
  /** Events that came while a page was loading, applied on top of it when it arrives. */
  pending: JobEvent[];
}

export type SubBatches = ReadonlyMap<string, SubBatch>;

/** A sub-batch whose first page is on its way. */
export function loadingSubBatch(id: string): SubBatch {
  return { id, rows: [], fanIn: null, nextCursor: null, state: 'loading', error: '', pending: [] };
}

/** Whether every row has been listed (new rows then come only from events). */
const complete = (s: SubBatch): boolean => s.state === 'ready' && s.nextCursor === null;

/** The sub-batch with its next page on the way (events are kept meanwhile). */
export function pageRequested(s: SubBatch): SubBatch {
  return { ...s, state: 'loading', error: '', pending: [] };
}

export function pageFailed(s: SubBatch, message: string): SubBatch {
  return { ...s, state: 'error', error: message, pending: [] };
}

/**
 * A page arrived (GET /batches/{id}/jobs, newest attempts, in row order with the fan-in
 * last). Events that came meanwhile and are newer than the page (`seq`) go on top, as
 * the batch's own snapshot does in src/cell/model.ts.
 */
export function withPage(
  s: SubBatch,
  page: { jobs: readonly JobRecord[]; nextCursor: string | null; seq: number | null }
): SubBatch {
  const rows = s.rows.slice();
  let fanIn = s.fanIn;
  for (const j of page.jobs) {
    if (j.role === 'fan_in') {
      if (!fanIn || j.attempt >= fanIn.attempt) {
        fanIn = j;
      }
    } else if (typeof j.index === 'number') {
      const at = rows.findIndex(r => r.index === j.index);
      if (at < 0) {
        rows.push(j);
      } else if (j.attempt >= rows[at].attempt) {
        rows[at] = j;
      }
    }
  }
  rows.sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
  let next: SubBatch = {
    ...s,
    rows,
    fanIn,
    nextCursor: page.nextCursor,
    state: 'ready',
    error: '',
    pending: [],
  };
  for (const ev of s.pending) {
    if (page.seq === null || ev.seq > page.seq) {
      next = applySubEvent(next, ev);
    }
  }
  return next;
}

const RANK: Record<JobStatus, number> = {
  created: 0,
  queued: 1,
  running: 2,
  completed: 3,
  error: 3,
  terminated: 3,
};

/** An event's fields over a record; a status never moves backwards (stale events). */
function merge(cur: JobRecord | null | undefined, patch: JobEvent['job']): JobRecord {
  if (!cur) {
    return { attempt: 1, params: {}, ...patch } as JobRecord;
  }
  if (cur.id !== patch.id) {
    // Another attempt: a newer one replaces the row, an older one is history.
    if ((patch.attempt ?? 0) <= cur.attempt) {
      return cur;
    }
    return {
      ...cur,
      startedAt: null,
      finishedAt: null,
      exitCode: null,
      error: null,
      terminatedCode: null,
      output: null,
      children: null,
      ...patch,
    } as JobRecord;
  }
  if (RANK[patch.status] < RANK[cur.status]) {
    const { status: _s, ...rest } = patch;
    const keep: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(rest)) {
      const old = (cur as unknown as Record<string, unknown>)[k];
      if (old === null || old === undefined) {
        keep[k] = v;
      }
    }
    return { ...cur, ...keep };
  }
  return { ...cur, ...patch } as JobRecord;
}

/**
 * A job event of one of the sub-batch's rows (its `batchId` is the sub-batch's id).
 * Rows beyond the loaded pages are left to their page; while a page loads the event is
 * also kept for it. Returns `s` itself when nothing changed.
 */
export function applySubEvent(s: SubBatch, ev: JobEvent): SubBatch {
  const j = ev.job;
  if (j.batchId !== s.id) {
    return s;
  }
  const pending = s.state === 'loading' ? [...s.pending, ev] : s.pending;
  if (j.role === 'fan_in') {
    // The fan-in is listed last: before the last page, that page brings it.
    if (!s.fanIn && !complete(s)) {
      return pending === s.pending ? s : { ...s, pending };
    }
    return { ...s, pending, fanIn: merge(s.fanIn, j) };
  }
  if (typeof j.index !== 'number') {
    return pending === s.pending ? s : { ...s, pending };
  }
  const at = s.rows.findIndex(r => r.index === j.index);
  if (at < 0) {
    if (!complete(s)) {
      return pending === s.pending ? s : { ...s, pending };
    }
    const rows = [...s.rows, merge(null, j)].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
    return { ...s, pending, rows };
  }
  const row = merge(s.rows[at], j);
  if (row === s.rows[at] && pending === s.pending) {
    return s;
  }
  const rows = s.rows.slice();
  rows[at] = row;
  return { ...s, pending, rows };
}

/**
 * The sub-batches open rows show, outermost first: each of `roots` (the expanded top
 * rows) that fanned out, then every open row (by job id) inside a needed sub-batch, to
 * MAX_DEPTH. A filtered-out row keeps its sub-batch: hiding it is not closing it.
 */
export function wantedSubBatches(
  roots: Iterable<JobRecord | undefined>,
  open: ReadonlySet<string>,
  subs: SubBatches
): string[] {
  const want: string[] = [];
  const seen = new Set<string>();
  const visit = (job: JobRecord, depth: number) => {
    if (seen.has(job.id) || !childrenOf(job)) {
      return;
    }
    seen.add(job.id);
    want.push(job.id);
    const s = subs.get(job.id);
    if (!s || depth >= MAX_DEPTH) {
      return;
    }
    for (const r of s.fanIn ? [...s.rows, s.fanIn] : s.rows) {
      if (open.has(r.id)) {
        visit(r, depth + 1);
      }
    }
  };
  for (const j of roots) {
    if (j) {
      visit(j, 1);
    }
  }
  return want;
}

/** Opens or closes a nested row's sub-batch (by its job id). */
export function toggleOpen(open: ReadonlySet<string>, id: string): Set<string> {
  const next = new Set(open);
  if (!next.delete(id)) {
    next.add(id);
  }
  return next;
}
