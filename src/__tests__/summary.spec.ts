import type { TranslationBundle } from '@jupyterlab/translation';
import type { JobRecord } from '../api/types';
import { countRows, estimateRemaining, formatDuration, summaryLine } from '../model/summary';

// The identity bundle JupyterLab uses without a language pack (%1… substitution).
const fill = (s: string, args: unknown[]) =>
  s.replace(/%(\d+)/g, (_, i) => String(args[Number(i) - 1]));
const trans = {
  __: (s: string, ...a: unknown[]) => fill(s, a),
  _n: (one: string, many: string, n: number, ...a: unknown[]) =>
    fill(n === 1 ? one : many, [n, ...a]),
} as unknown as TranslationBundle;

function job(status: JobRecord['status'], startedAt: string | null, attempt = 1): JobRecord {
  return { status, startedAt, attempt } as JobRecord;
}

describe('summaryLine', () => {
  it('names each non-zero state and the retried rows', () => {
    expect(
      summaryLine(
        { created: 2, queued: 10, running: 3, completed: 80, error: 5, terminated: 0 },
        2,
        trans
      )
    ).toBe('12 queued, 3 running, 80 completed, 5 failed (2 retried)');
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

describe('estimateRemaining', () => {
  const t0 = Date.parse('2024-01-01T00:00:00Z');
  const at = (s: number) => new Date(t0 + s * 1000).toISOString();

  it('extrapolates from throughput so far', () => {
    // 4 finished in 40 s since the first start; 6 left → 60 s.
    const rows = [
      ...[0, 5, 10, 15].map(s => job('completed', at(s))),
      job('running', at(30)),
      ...Array.from({ length: 5 }, () => job('queued', null)),
    ];
    expect(estimateRemaining(rows, t0 + 40000)).toBe(60000);
  });

  it('is unknown before anything finished and null when all are done', () => {
    expect(estimateRemaining([job('running', at(0))], t0 + 1000)).toBeNull();
    expect(estimateRemaining([job('completed', at(0))], t0 + 1000)).toBeNull();
  });

  it('formats durations', () => {
    expect(formatDuration(45000, trans)).toBe('45 s');
    expect(formatDuration(200000, trans)).toBe('3 min 20 s');
    expect(formatDuration(2 * 3600000 + 5 * 60000, trans)).toBe('2 h 5 min');
  });
});
