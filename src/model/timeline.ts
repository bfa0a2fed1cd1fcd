/**
 * The Timeline tab's bars (src/cell/Timeline.tsx): every attempt of a row on the row's
 * line, each as a waiting span (creation to start: time held for a slot is queue time to
 * the user) and a running span coloured by how the attempt ended. An attempt cancelled
 * or failed before it started shows its waiting span in that colour instead. A row that
 * fanned out (src/model/subbatch.ts) opens into its sub-batch: one lane with the
 * sub-batch's span (first sub-task start to last end), then a lane per sub-task.
 */
import type { JobRecord } from '../api/types';
import { isTerminal } from '../api/types';
import { childrenOf, MAX_DEPTH, type SubBatches } from './subbatch';

export interface Span {
  kind: 'wait' | 'run';
  start: number;
  end: number;
  /** CSS classes: `jp-Bulkrun-fill-<status>` (waiting spans: `jp-Bulkrun-fill-queued`). */
  className: string;
}

export interface AttemptBar {
  job: JobRecord;
  /** The row's newest attempt (the one the Status tab shows). */
  latest: boolean;
  spans: Span[];
}

type Times = Pick<JobRecord, 'status' | 'createdAt' | 'queuedAt' | 'startedAt' | 'finishedAt'>;

function time(iso: string | null | undefined): number | null {
  if (!iso) {
    return null;
  }
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : null;
}

/** The spans of one attempt; unfinished spans end at `now`. */
export function attemptSpans(job: Times, now: number): Span[] {
  const q = time(job.createdAt) ?? time(job.queuedAt);
  const s = time(job.startedAt);
  const f = time(job.finishedAt);
  const spans: Span[] = [];
  if (q !== null) {
    const endedUnstarted =
      s === null && f !== null && (job.status === 'terminated' || job.status === 'error');
    spans.push({
      kind: 'wait',
      start: q,
      end: Math.max(q, s ?? f ?? now),
      className: endedUnstarted
        ? `jp-Bulkrun-fill-${job.status} jp-mod-unstarted`
        : 'jp-Bulkrun-fill-queued',
    });
  }
  if (s !== null) {
    spans.push({
      kind: 'run',
      start: s,
      end: Math.max(s, f ?? now),
      className: `jp-Bulkrun-fill-${job.status}`,
    });
  }
  return spans;
}

/** A batch's attempts (GET /batches/{id}/jobs?attempts=all) by row index, and the fan-in's. */
export function groupAttempts(all: readonly JobRecord[]): {
  rows: Map<number, JobRecord[]>;
  fanIn: JobRecord[];
} {
  const rows = new Map<number, JobRecord[]>();
  const fanIn: JobRecord[] = [];
  for (const j of all) {
    if (j.role === 'fan_in') {
      fanIn.push(j);
    } else if (typeof j.index === 'number') {
      const list = rows.get(j.index);
      if (list) {
        list.push(j);
      } else {
        rows.set(j.index, [j]);
      }
    }
  }
  return { rows, fanIn };
}

/**
 * Every attempt of one row, oldest first: the earlier attempts from `history`, then the
 * newest from the live model (newer than any listing of it). Attempts are unique by
 * attempt number.
 */
export function mergeAttempts(
  latest: JobRecord | null | undefined,
  history: readonly JobRecord[] | undefined
): JobRecord[] {
  const byAttempt = new Map<number, JobRecord>();
  for (const j of history ?? []) {
    if (!latest || j.attempt < latest.attempt) {
      const cur = byAttempt.get(j.attempt);
      if (!cur || (j.finishedAt && !cur.finishedAt)) {
        byAttempt.set(j.attempt, j);
      }
    }
  }
  const out = [...byAttempt.values()].sort((a, b) => a.attempt - b.attempt);
  if (latest) {
    out.push(latest);
  }
  return out;
}

/** Bars for every attempt of one row (or of the fan-in). */
export function attemptBars(
  latest: JobRecord | null | undefined,
  history: readonly JobRecord[] | undefined,
  now: number
): AttemptBar[] {
  const attempts = mergeAttempts(latest, history);
  return attempts.map((job, i) => ({
    job,
    latest: latest ? i === attempts.length - 1 : false,
    spans: attemptSpans(job, now),
  }));
}

/**
 * How many earlier attempts the live rows imply (0: no row was ever retried). When it
 * changes, the list of earlier attempts is out of date.
 */
export function retrySignature(
  rows: readonly (JobRecord | undefined)[],
  fanIn: JobRecord | null | undefined
): number {
  let n = fanIn ? Math.max(0, fanIn.attempt - 1) : 0;
  for (const r of rows) {
    if (r && r.attempt > 1) {
      n += r.attempt - 1;
    }
  }
  return n;
}

/**
 * The earliest start and latest end over all bars (and sub-batch spans), or null when
 * nothing has a time.
 */
export function timeBounds(
  lanes: readonly (readonly AttemptBar[])[],
  spans: readonly ({ start: number; end: number } | null | undefined)[] = []
): { t0: number; t1: number } | null {
  let t0 = Infinity;
  let t1 = -Infinity;
  for (const bars of lanes) {
    for (const b of bars) {
      for (const s of b.spans) {
        t0 = Math.min(t0, s.start);
        t1 = Math.max(t1, s.end);
      }
    }
  }
  for (const s of spans) {
    if (s) {
      t0 = Math.min(t0, s.start);
      t1 = Math.max(t1, s.end);
    }
  }
  return Number.isFinite(t0) && Number.isFinite(t1) ? { t0, t1 } : null;
}

/**
 * A sub-batch's span: the first sub-task's start to the last one's end (`now` while one
 * runs); null while none has started.
 */
export function subBatchSpan(
  jobs: readonly Times[],
  now: number
): { start: number; end: number } | null {
  let start = Infinity;
  let end = -Infinity;
  for (const j of jobs) {
    const s = time(j.startedAt);
    if (s === null) {
      continue;
    }
    start = Math.min(start, s);
    end = Math.max(end, s, time(j.finishedAt) ?? (isTerminal(j.status) ? s : now));
  }
  return Number.isFinite(start) ? { start, end } : null;
}

/** One line of the timeline. */
export interface Lane {
  key: string;
  label: string;
  /** 0: the batch's rows and fan-in; n: inside n sub-batches. */
  depth: number;
  bars: AttemptBar[];
  /** The lane's job fanned out: it opens into its sub-batch (by its job id). */
  fannedOut: boolean;
  open: boolean;
  /** A sub-batch's span lane (null span: nothing has started in it yet). */
  span?: { start: number; end: number } | null;
  /** For a span lane: listed sub-tasks and all of them. */
  shown?: { loaded: number; total: number };
}

export interface LaneOptions {
  subs: SubBatches;
  /** Open fanned-out lanes, by job id. */
  open: ReadonlySet<string>;
  now: number;
  fanInLabel: string;
}

/** A job's lane, and under it, when open, its sub-batch's lanes. */
function pushLane(
  out: Lane[],
  job: JobRecord,
  label: string,
  depth: number,
  bars: AttemptBar[],
  o: LaneOptions
): void {
  const c = childrenOf(job);
  const open = !!c && o.open.has(job.id) && depth < MAX_DEPTH;
  out.push({ key: job.id || label, label, depth, bars, fannedOut: !!c, open });
  const s = open ? o.subs.get(job.id) : undefined;
  if (!s || !c) {
    return;
  }
  const jobs = s.fanIn ? [...s.rows, s.fanIn] : s.rows;
  out.push({
    key: `span-${job.id}`,
    label,
    depth: depth + 1,
    bars: [],
    fannedOut: false,
    open: false,
    span: subBatchSpan(jobs, o.now),
    shown: { loaded: s.rows.length, total: c.total },
  });
  for (const r of jobs) {
    const sub = r.role === 'fan_in' ? o.fanInLabel : String((r.index ?? 0) + 1);
    pushLane(out, r, `${label}.${sub}`, depth + 1, attemptBars(r, undefined, o.now), o);
  }
}

/**
 * Every lane, in order: each known row (earlier attempts from `history`), the fan-in,
 * and under each open fanned-out lane its sub-batch (its newest attempts only).
 */
export function timelineLanes(
  rows: readonly (JobRecord | undefined)[],
  fanIn: JobRecord | null | undefined,
  history: ReturnType<typeof groupAttempts> | null,
  o: LaneOptions
): Lane[] {
  const out: Lane[] = [];
  rows.forEach((r, i) => {
    if (r) {
      pushLane(out, r, String(i + 1), 0, attemptBars(r, history?.rows.get(i), o.now), o);
    }
  });
  if (fanIn) {
    pushLane(out, fanIn, o.fanInLabel, 0, attemptBars(fanIn, history?.fanIn, o.now), o);
  }
  return out;
}
