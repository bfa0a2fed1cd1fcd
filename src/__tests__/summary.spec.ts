import type { JobRecord } from '../api/types';
import { statusLabel } from '../components/status';
import {
  countRows,
  estimateRemaining,
  formatDuration,
  peakParallel,
  remainingText,
  summaryLine,
} from '../model/summary';
import { trans } from './trans';

function job(
  status: JobRecord['status'],
  startedAt: string | null,
  finishedAt: string | null = null,
  attempt = 1
): JobRecord {
  return { status, startedAt, finishedAt, attempt } as JobRecord;
}

describe('summaryLine', () => {
  it('names each non-zero state and the retried rows', () => {
    expect(
      summaryLine(
        { created: 2, queued: 10, running: 3, completed: 80, error: 5, terminated: 0 },
        2,
        trans
      )
    ).toBe('2 waiting, 10 queued, 3 running, 80 completed, 5 failed (2 retried)');
    expect(
      summaryLine(
        { created: 0, queued: 0, running: 0, completed: 0, error: 0, terminated: 4 },
        0,
        trans
      )
    ).toBe('4 cancelled');
    expect(
      summaryLine(
        { created: 0, queued: 0, running: 0, completed: 0, error: 0, terminated: 0 },
        0,
        trans
      )
    ).toBe('no rows');
  });
});

describe('countRows', () => {
  it('counts effective states and skips unknown rows', () => {
    const rows = [job('completed', null), undefined, job('error', null), job('completed', null)];
    expect(countRows(rows)).toEqual({
      created: 0,
      queued: 0,
      running: 0,
      completed: 2,
      error: 1,
      terminated: 0,
    });
  });
});

describe('summary and badge words', () => {
  it('names each state with the word its badge shows', () => {
    for (const status of [
      'created',
      'queued',
      'running',
      'completed',
      'error',
      'terminated',
    ] as const) {
      const counts = countRows([job(status, null)]);
      expect(summaryLine(counts, 0, trans)).toBe(`1 ${statusLabel(status, trans)}`);
    }
    expect(statusLabel('created', trans)).toBe('waiting');
    expect(statusLabel('queued', trans)).toBe('queued');
  });
});

describe('estimateRemaining', () => {
  const t0 = Date.parse('2024-01-01T00:00:00Z');
  const at = (s: number) => new Date(t0 + s * 1000).toISOString();
  const done = (from: number, to: number) => job('completed', at(from), at(to));

  it('uses the median runtime, the running rows, the waiting rows and the parallelism seen', () => {
    // Four 10 s rows, two at a time; two rows running for 4 s; three queued.
    const rows = [
      done(0, 10),
      done(0, 10),
      done(10, 20),
      done(10, 20),
      job('running', at(20)),
      job('running', at(20)),
      ...Array.from({ length: 3 }, () => job('queued', null)),
    ];
    // Slots free after 6 s each; the 3 queued rows take two more rounds on one slot.
    expect(estimateRemaining(rows, t0 + 24000)).toBe(26000);
  });

  it('goes down, not up, while a row runs and nothing finishes', () => {
    const rows = [done(0, 10), done(10, 20), job('running', at(20)), job('created', null)];
    const early = estimateRemaining(rows, t0 + 22000);
    const later = estimateRemaining(rows, t0 + 28000);
    expect(early).toBe(18000);
    expect(later).toBe(12000);
  });

  it('is not fooled by a browser clock behind the server', () => {
    // The running row "started" after the browser's now: three rows are clearly not 0 s away.
    const rows = [done(0, 30), done(30, 60), job('running', at(70)), job('queued', null)];
    expect(estimateRemaining(rows, t0 + 65000)).toBe(60000);
  });

  it('ignores the runtime of cancelled rows and an outlier', () => {
    const rows = [
      done(0, 10),
      done(10, 20),
      job('completed', at(20), at(620)),
      ...Array.from({ length: 3 }, () => job('terminated', at(20), at(21))),
      job('queued', null),
    ];
    expect(estimateRemaining(rows, t0 + 700000)).toBe(10000);
  });

  it('is unknown before anything finished and null when all are done', () => {
    expect(estimateRemaining([job('running', at(0))], t0 + 1000)).toBeNull();
    expect(estimateRemaining([done(0, 1)], t0 + 1000)).toBeNull();
  });

  it('counts rows running at the same time', () => {
    expect(
      peakParallel([
        [0, 10],
        [10, 20],
      ])
    ).toBe(1);
    expect(
      peakParallel([
        [0, 10],
        [5, 20],
        [6, 7],
      ])
    ).toBe(3);
    expect(peakParallel([])).toBe(0);
  });

  it('never says 0 s while rows are unfinished', () => {
    // Rows running longer than the median leave an estimate of 0.
    const rows = [done(0, 10), job('running', at(10)), job('running', at(10))];
    const eta = estimateRemaining(rows, t0 + 60000);
    expect(eta).toBe(0);
    expect(remainingText(eta!, trans)).toBe('less than a minute left');
    expect(remainingText(45000, trans)).toBe('less than a minute left');
    expect(remainingText(200000, trans)).toBe('about 3 min 20 s left');
  });

  it('formats durations', () => {
    expect(formatDuration(45000, trans)).toBe('45 s');
    expect(formatDuration(200000, trans)).toBe('3 min 20 s');
    expect(formatDuration(2 * 3600000 + 5 * 60000, trans)).toBe('2 h 5 min');
  });
});
