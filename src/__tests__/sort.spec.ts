import type { JobRecord } from '../api/types';
import {
  ariaSort,
  compareValues,
  nextSort,
  sortBy,
  sortStatusRows,
  statusSortValue,
} from '../model/sort';

function job(p: Partial<JobRecord>): JobRecord {
  return {
    status: 'completed',
    attempt: 1,
    exitCode: 0,
    startedAt: null,
    finishedAt: null,
    ...p,
  } as JobRecord;
}

describe('compareValues and sortBy', () => {
  it('sorts numbers numerically, not as text', () => {
    expect(sortBy([10, 9, 100, 1.5], v => v, 'asc')).toEqual([1.5, 9, 10, 100]);
    expect(sortBy([10, 9, 100, 1.5], v => v, 'desc')).toEqual([100, 10, 9, 1.5]);
  });

  it('sorts text naturally and without regard to case', () => {
    expect(sortBy(['file10', 'File2', 'file1'], v => v, 'asc')).toEqual([
      'file1',
      'File2',
      'file10',
    ]);
  });

  it('puts numbers before text', () => {
    expect(compareValues(5, 'a')).toBeLessThan(0);
    expect(compareValues('a', 5)).toBeGreaterThan(0);
  });

  it('is stable in both directions', () => {
    const items = [
      { k: 1, id: 'a' },
      { k: 0, id: 'b' },
      { k: 1, id: 'c' },
      { k: 0, id: 'd' },
      { k: 1, id: 'e' },
    ];
    expect(sortBy(items, i => i.k, 'asc').map(i => i.id)).toEqual(['b', 'd', 'a', 'c', 'e']);
    expect(sortBy(items, i => i.k, 'desc').map(i => i.id)).toEqual(['a', 'c', 'e', 'b', 'd']);
  });

  it('puts blanks last whichever the direction', () => {
    const vals = [3, null, 1, undefined, '', 2, NaN];
    expect(sortBy(vals, v => v, 'asc').slice(0, 3)).toEqual([1, 2, 3]);
    expect(sortBy(vals, v => v, 'desc').slice(0, 3)).toEqual([3, 2, 1]);
    expect(sortBy(vals, v => v, 'desc').slice(3)).toEqual([null, undefined, '', NaN]);
  });

  it('does not change its input', () => {
    const input = [3, 1, 2];
    sortBy(input, v => v, 'asc');
    expect(input).toEqual([3, 1, 2]);
  });
});

describe('nextSort and ariaSort', () => {
  it('sorts a new column ascending, then flips on each click', () => {
    const a = nextSort(null, 'time');
    expect(a).toEqual({ key: 'time', dir: 'asc' });
    const b = nextSort(a, 'time');
    expect(b).toEqual({ key: 'time', dir: 'desc' });
    expect(nextSort(b, 'time')).toEqual({ key: 'time', dir: 'asc' });
    expect(nextSort(b, 'exit')).toEqual({ key: 'exit', dir: 'asc' });
  });

  it('names the sorted column only', () => {
    expect(ariaSort({ key: 'row', dir: 'desc' }, 'row')).toBe('descending');
    expect(ariaSort({ key: 'row', dir: 'asc' }, 'row')).toBe('ascending');
    expect(ariaSort({ key: 'row', dir: 'asc' }, 'status')).toBe('none');
    expect(ariaSort(null, 'row')).toBe('none');
  });
});

describe('sortStatusRows', () => {
  const t = (s: number) => new Date(Date.UTC(2024, 0, 1, 0, 0, s)).toISOString();
  const now = Date.parse(t(100));
  const rows = [
    {
      index: 0,
      job: job({ status: 'error', exitCode: 2, attempt: 2, startedAt: t(0), finishedAt: t(30) }),
    },
    { index: 1, job: job({ status: 'running', exitCode: null, startedAt: t(90) }) },
    { index: 2, job: job({ status: 'queued', exitCode: null }) },
    { index: 3, job: job({ status: 'completed', exitCode: 0, startedAt: t(0), finishedAt: t(5) }) },
    { index: 4, job: job({ status: 'created', exitCode: null, attempt: 3 }) },
  ];
  const order = (key: string, dir: 'asc' | 'desc') =>
    sortStatusRows(rows, { key, dir }, now).map(r => r.index);

  it('keeps row order when unsorted', () => {
    expect(sortStatusRows(rows, null, now).map(r => r.index)).toEqual([0, 1, 2, 3, 4]);
    expect(order('row', 'desc')).toEqual([4, 3, 2, 1, 0]);
  });

  it('sorts statuses by their place in the lifecycle', () => {
    expect(order('status', 'asc')).toEqual([4, 2, 1, 3, 0]);
  });

  it('sorts by runtime, running rows measured to now, rows that never ran last', () => {
    expect(statusSortValue(rows[1], 'time', now)).toBe(10000);
    expect(order('time', 'asc')).toEqual([3, 1, 0, 2, 4]);
    expect(order('time', 'desc')).toEqual([0, 1, 3, 2, 4]);
  });

  it('sorts by exit code with no exit last, and by tries', () => {
    expect(order('exit', 'asc')).toEqual([3, 0, 1, 2, 4]);
    expect(order('exit', 'desc')).toEqual([0, 3, 1, 2, 4]);
    expect(order('tries', 'desc')).toEqual([4, 0, 1, 2, 3]);
  });

  it('sorts by peak memory, unmeasured rows last', () => {
    const usage = (maxRssBytes: number) => ({
      wallSeconds: 1,
      cpuSeconds: 1,
      maxRssBytes,
      source: 'wrapper',
    });
    const measured = [
      { index: 0, job: job({ status: 'completed', usage: usage(300) }) },
      { index: 1, job: job({ status: 'running' }) },
      { index: 2, job: job({ status: 'completed', usage: usage(100) }) },
    ];
    const by = (dir: 'asc' | 'desc') =>
      sortStatusRows(measured, { key: 'memory', dir }, now).map(r => r.index);
    expect(by('asc')).toEqual([2, 0, 1]);
    expect(by('desc')).toEqual([0, 2, 1]);
  });

  it('ignores an unknown column', () => {
    expect(order('reason', 'desc')).toEqual([0, 1, 2, 3, 4]);
  });
});
