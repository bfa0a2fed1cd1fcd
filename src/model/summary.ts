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
 * "12 queued, 3 running, 80 completed, 5 failed (2 retried)". Waiting (created) rows
 * count as queued; zero counts are left out, except when there is nothing at all.
 */
export function summaryLine(
  counts: BatchCounts,
  retried: number,
  trans: TranslationBundle
): string {
  const parts: string[] = [];
  const queued = counts.created + counts.queued;
  if (queued) {
    parts.push(trans.__('%1 queued', queued));
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

/**
 * Estimated milliseconds until every row is terminal, from the throughput so far:
 * finished rows per elapsed time since the first row started. Null when unknown
 * (nothing finished yet) or when nothing is left.
 */
export function estimateRemaining(
  rows: readonly (JobRecord | undefined)[],
  now: number
): number | null {
  let firstStart = Infinity;
  let finished = 0;
  let left = 0;
  for (const r of rows) {
    if (!r) {
      continue;
    }
    if (r.startedAt) {
      firstStart = Math.min(firstStart, Date.parse(r.startedAt));
    }
    if (r.status === 'completed' || r.status === 'error' || r.status === 'terminated') {
      finished++;
    } else {
      left++;
    }
  }
  if (left === 0 || finished === 0 || !Number.isFinite(firstStart)) {
    return null;
  }
  const elapsed = Math.max(1, now - firstStart);
  // Wall time per finished row already includes the parallelism achieved so far.
  return (left * elapsed) / finished;
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
