/** Batch progress in words and numbers: the summary line and the ETA. */
import type { TranslationBundle } from '@jupyterlab/translation';
import type { BatchCounts, JobRecord } from '../api/types';

export function emptyCounts(): BatchCounts {
  return { created: 0, queued: 0, running: 0, completed: 0, error: 0, terminated: 0 };
}

/** Counts effective row states (each row = its newest attempt). */
export function countRows(rows: readonly (JobRecord | undefined)[]): BatchCounts {
  const c = emptyCounts();
  for (const r of rows) {
    if (r) {
      c[r.status]++;
    }
  }
  return c;
}

/**
 * "2 waiting, 10 queued, 3 running, 80 completed, 5 failed (2 retried)", with the same
 * words as the status badges (src/components/status.tsx); zero counts are left out,
 * except when there is nothing at all.
 */
export function summaryLine(
  counts: BatchCounts,
  retried: number,
  trans: TranslationBundle
): string {
  const parts: string[] = [];
  if (counts.created) {
    parts.push(trans.__('%1 waiting', counts.created));
  }
  if (counts.queued) {
    parts.push(trans.__('%1 queued', counts.queued));
  }
  if (counts.running) {
    parts.push(trans.__('%1 running', counts.running));
  }
  if (counts.completed) {
    parts.push(trans.__('%1 completed', counts.completed));
  }
  if (counts.error) {
    parts.push(trans.__('%1 failed', counts.error));
  }
  if (counts.terminated) {
    parts.push(trans.__('%1 cancelled', counts.terminated));
  }
  let line = parts.length ? parts.join(', ') : trans.__('no rows');
  if (retried) {
    line += ' ' + trans._n('(%1 retried)', '(%1 retried)', retried);
  }
  return line;
}

function median(values: number[]): number {
  const v = values.slice().sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** The most rows that ran at the same time, over [start, end) intervals. */
export function peakParallel(intervals: readonly [number, number][]): number {
  const edges: [number, number][] = [];
  for (const [a, b] of intervals) {
    if (b > a) {
      edges.push([a, 1], [b, -1]);
    }
  }
  // At equal times an end comes before a start: back-to-back rows do not overlap.
  edges.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let n = 0;
  let peak = 0;
  for (const [, d] of edges) {
    n += d;
    peak = Math.max(peak, n);
  }
  return peak;
}

/**
 * Estimated milliseconds until every row is terminal. A row takes the median runtime of
 * the rows that completed or failed; a running row needs that minus what it has run so
 * far; waiting and queued rows run in turn on as many slots as the most rows seen
 * running at once. Null when unknown (no runtime observed yet) or when nothing is left.
 * Running times use the browser clock against server timestamps, so they are clamped.
 */
export function estimateRemaining(
  rows: readonly (JobRecord | undefined)[],
  now: number
): number | null {
  const durations: number[] = [];
  const intervals: [number, number][] = [];
  const running: number[] = [];
  let waiting = 0;
  for (const r of rows) {
    if (!r) {
      continue;
    }
    const start = r.startedAt ? Date.parse(r.startedAt) : NaN;
    const end = r.finishedAt ? Date.parse(r.finishedAt) : NaN;
    if (r.status === 'created' || r.status === 'queued') {
      waiting++;
    } else if (r.status === 'running') {
      running.push(Number.isFinite(start) ? Math.max(0, now - start) : 0);
      if (Number.isFinite(start)) {
        intervals.push([start, Math.max(start, now)]);
      }
    } else if (Number.isFinite(start) && Number.isFinite(end)) {
      intervals.push([start, end]);
      if (r.status === 'completed' || r.status === 'error') {
        durations.push(Math.max(0, end - start));
      }
    }
  }
  if ((waiting === 0 && running.length === 0) || durations.length === 0) {
    return null;
  }
  const each = median(durations);
  const slots = Math.max(1, running.length, peakParallel(intervals));
  // When each slot frees up: a running row after the rest of its median runtime, an idle
  // slot now. All are within one row's runtime of each other, so waiting rows go to the
  // slots in turn, the earliest free slots taking the extra row of an uneven split.
  const free = running.map(elapsed => Math.max(0, each - elapsed));
  while (free.length < slots) {
    free.push(0);
  }
  free.sort((a, b) => a - b);
  const perSlot = Math.floor(waiting / slots);
  const extra = waiting % slots;
  let finish = 0;
  free.forEach((t, k) => {
    finish = Math.max(finish, t + (perSlot + (k < extra ? 1 : 0)) * each);
  });
  return finish;
}

/** "about 3 min left"; under a minute (an overdue row included) "less than a minute left". */
export function remainingText(ms: number, trans: TranslationBundle): string {
  return ms < 60000
    ? trans.__('less than a minute left')
    : trans.__('about %1 left', formatDuration(ms, trans));
}

/** "45 s", "3 min 20 s", "2 h 5 min". */
export function formatDuration(ms: number, trans: TranslationBundle): string {
  const s = Math.round(ms / 1000);
  if (s < 60) {
    return trans.__('%1 s', s);
  }
  const m = Math.floor(s / 60);
  if (m < 60) {
    return s % 60 ? trans.__('%1 min %2 s', m, s % 60) : trans.__('%1 min', m);
  }
  const h = Math.floor(m / 60);
  return m % 60 ? trans.__('%1 h %2 min', h, m % 60) : trans.__('%1 h', h);
}

/** Runtime of a job in ms (running jobs measured to `now`), or null. */
export function runtimeMs(job: JobRecord, now: number): number | null {
  if (!job.startedAt) {
    return null;
  }
  const end = job.finishedAt ? Date.parse(job.finishedAt) : now;
  return Math.max(0, end - Date.parse(job.startedAt));
}

/** "3 min ago", for ages in the jobs panel. */
export function formatAge(
  iso: string | null | undefined,
  now: number,
  trans: TranslationBundle
): string {
  if (!iso) {
    return '';
  }
  const ms = now - Date.parse(iso);
  if (ms < 45000) {
    return trans.__('just now');
  }
  return trans.__('%1 ago', formatDuration(ms, trans).replace(/ \d+ s$/, ''));
}
