import type { BatchCounts, JobRecord } from '../api/types';
import {
  canCancel,
  canRetry,
  expandLabel,
  fanInPendingText,
  fanInTitle,
  filterCount,
  itemActions,
  itemClass,
  itemDomId,
  isOpen,
  itemKey,
  itemLogTitle,
  logTitle,
  moreText,
  navigate,
  paramSummary,
  progressText,
  rowMatches,
  sortClock,
  STATUS_FILTERS,
  statusItems,
  toggleExpanded,
  withAttempts,
  type ExpandedRows,
  type StatusItem,
  type StatusQuery,
} from '../model/statusview';
import { loadingSubBatch, withPage, type SubBatch } from '../model/subbatch';
import { trans } from './trans';

function job(p: Partial<JobRecord>): JobRecord {
  return {
    id: 'j',
    status: 'completed',
    attempt: 1,
    exitCode: 0,
    params: {},
    error: null,
    startedAt: null,
    finishedAt: null,
    ...p,
  } as JobRecord;
}

const counts: BatchCounts = {
  created: 1,
  queued: 2,
  running: 3,
  completed: 4,
  error: 5,
  terminated: 6,
};

function query(p: Partial<StatusQuery> = {}): StatusQuery {
  return { filter: 'all', text: '', sort: null, expanded: new Map(), ...p };
}

const rows: (JobRecord | undefined)[] = [
  job({ id: 'a', status: 'completed', params: { input: 'alpha.txt' } }),
  undefined,
  job({ id: 'c', status: 'error', attempt: 2, params: { input: 'gamma.txt' } }),
  job({
    id: 'd',
    status: 'error',
    params: { input: 'delta.txt' },
    error: { code: 'job_crashed', message: 'Is a Directory' } as JobRecord['error'],
  }),
];

const ids = (items: StatusItem[]) => items.map(itemKey);

describe('rowMatches', () => {
  const j = rows[3]!;

  it('passes every status under "all" and only its own otherwise', () => {
    expect(rowMatches(j, 3, 'all', '')).toBe(true);
    expect(rowMatches(j, 3, 'error', '')).toBe(true);
    expect(rowMatches(j, 3, 'completed', '')).toBe(false);
  });

  it('searches the row number, id, parameter values and error message', () => {
    expect(rowMatches(j, 3, 'all', '4')).toBe(true);
    expect(rowMatches(j, 3, 'all', 'd')).toBe(true);
    expect(rowMatches(j, 3, 'all', 'delta')).toBe(true);
    expect(rowMatches(j, 3, 'all', 'is a directory')).toBe(true);
    expect(rowMatches(j, 3, 'all', 'gamma')).toBe(false);
  });
});

describe('statusItems', () => {
  it('lists the known rows in row order, skipping rows not yet known', () => {
    expect(ids(statusItems(rows, query(), 0))).toEqual(['row-a', 'row-c', 'row-d']);
  });

  it('filters by status and by trimmed, case-blind text', () => {
    expect(ids(statusItems(rows, query({ filter: 'error' }), 0))).toEqual(['row-c', 'row-d']);
    expect(ids(statusItems(rows, query({ text: '  GAMMA ' }), 0))).toEqual(['row-c']);
    expect(statusItems(rows, query({ filter: 'running' }), 0)).toEqual([]);
  });

  it('sorts rows by the chosen column', () => {
    const sorted = statusItems(rows, query({ sort: { key: 'row', dir: 'desc' } }), 0);
    expect(ids(sorted)).toEqual(['row-d', 'row-c', 'row-a']);
  });

  it('puts an expanded row’s earlier attempts under it, newest first, without the row itself', () => {
    const attempts = [
      job({ id: 'c0', attempt: 1, status: 'error' }),
      job({ id: 'c1', attempt: 2, status: 'terminated' }),
      job({ id: 'c', attempt: 3, status: 'error' }),
    ];
    const expanded: ExpandedRows = new Map([[2, attempts]]);
    const items = statusItems(rows, query({ expanded, sort: { key: 'row', dir: 'desc' } }), 0);
    expect(ids(items)).toEqual(['row-d', 'row-c', 'attempt-c1', 'attempt-c0', 'row-a']);
    expect(items[2]).toEqual({ kind: 'attempt', index: 2, job: attempts[1] });
  });

  it('shows no attempts while they load', () => {
    const expanded: ExpandedRows = new Map([[2, null]]);
    expect(ids(statusItems(rows, query({ expanded }), 0))).toEqual(['row-a', 'row-c', 'row-d']);
  });
});

describe('sortClock', () => {
  it('follows the clock only for a time sort of a running batch', () => {
    expect(sortClock({ key: 'time', dir: 'asc' }, true, 5)).toBe(5);
    expect(sortClock({ key: 'time', dir: 'asc' }, false, 5)).toBe(0);
    expect(sortClock({ key: 'row', dir: 'asc' }, true, 5)).toBe(0);
    expect(sortClock(null, true, 5)).toBe(0);
  });
});

describe('expanded rows', () => {
  it('expands a row as loading, collapses it again, without changing the old map', () => {
    const none: ExpandedRows = new Map();
    const open = toggleExpanded(none, 2);
    expect([...open]).toEqual([[2, null]]);
    expect(none.size).toBe(0);
    expect(toggleExpanded(open, 2).size).toBe(0);
    expect(open.has(2)).toBe(true);
  });

  it('stores the loaded attempts', () => {
    const a = [job({ id: 'x' })];
    const next = withAttempts(new Map([[2, null]]), 2, a);
    expect(next.get(2)).toBe(a);
  });
});

describe('navigate', () => {
  it('moves by one, by ten and to the ends, within the table', () => {
    expect(navigate('ArrowDown', 3, 20)).toBe(4);
    expect(navigate('ArrowDown', 19, 20)).toBe(19);
    expect(navigate('ArrowUp', 0, 20)).toBe(0);
    expect(navigate('PageDown', 15, 20)).toBe(19);
    expect(navigate('PageUp', 15, 20)).toBe(5);
    expect(navigate('PageUp', 5, 20)).toBe(0);
    expect(navigate('Home', 7, 20)).toBe(0);
    expect(navigate('End', 7, 20)).toBe(19);
  });

  it('ignores other keys', () => {
    expect(navigate('a', 3, 20)).toBeNull();
    expect(navigate('Enter', 3, 20)).toBeNull();
  });
});

describe('line actions and looks', () => {
  const row = (p: Partial<JobRecord>): StatusItem => ({ kind: 'row', index: 0, job: job(p) });

  it('cancels unfinished rows and retries or edits failed and cancelled ones', () => {
    expect(canCancel(job({ status: 'running' }))).toBe(true);
    expect(canCancel(job({ status: 'completed' }))).toBe(false);
    expect(canRetry(job({ status: 'error' }))).toBe(true);
    expect(canRetry(job({ status: 'terminated' }))).toBe(true);
    expect(canRetry(job({ status: 'completed' }))).toBe(false);
    expect(itemActions(row({ status: 'queued' }))).toEqual({
      expandable: false,
      cancel: true,
      retry: false,
      edit: false,
    });
    expect(itemActions(row({ status: 'error', attempt: 2 }))).toEqual({
      expandable: true,
      cancel: false,
      retry: true,
      edit: true,
    });
  });

  it('offers nothing on an earlier attempt', () => {
    const it: StatusItem = { kind: 'attempt', index: 0, job: job({ status: 'error', attempt: 3 }) };
    expect(itemActions(it)).toEqual({
      expandable: false,
      cancel: false,
      retry: false,
      edit: false,
    });
  });

  it('classes a line by status, attempt and focus', () => {
    expect(itemClass(row({ status: 'error' }), false)).toBe(
      'jp-Bulkrun-table-row jp-Bulkrun-row-error'
    );
    const attempt: StatusItem = { kind: 'attempt', index: 0, job: job({ status: 'terminated' }) };
    expect(itemClass(attempt, true)).toBe(
      'jp-Bulkrun-table-row jp-Bulkrun-row-terminated jp-mod-attempt jp-mod-active'
    );
  });

  it('names lines per batch', () => {
    expect(itemDomId('b1', 4)).toBe('bulkrun-b1-item-4');
  });
});

describe('paramSummary', () => {
  const j = job({ params: { a: 'x', b: '', c: { k: 1 }, d: 2, e: null } });

  it('joins the key parameters that have a value', () => {
    expect(paramSummary(j, ['d', 'a', 'b'])).toBe('2 · x');
  });

  it('falls back to the first three parameters, objects as JSON', () => {
    expect(paramSummary(j, [])).toBe('x · {"k":1}');
  });
});

describe('words', () => {
  it('has a chip for all and for every status, counted', () => {
    expect(STATUS_FILTERS).toEqual([
      'all',
      'created',
      'queued',
      'running',
      'completed',
      'error',
      'terminated',
    ]);
    expect(filterCount('all', counts, 40)).toBe(40);
    expect(filterCount('error', counts, 40)).toBe(5);
  });

  it('says how many are done and, when known, how long is left', () => {
    expect(progressText(counts, 40, null, trans)).toBe('15 of 40 done');
    expect(progressText(counts, 40, 30000, trans)).toBe('15 of 40 done · less than a minute left');
  });

  it('titles logs and the fan-in', () => {
    expect(logTitle(2, job({ attempt: 3 }), trans)).toBe('Row 3, attempt 3');
    expect(fanInTitle(job({ attempt: 1 }), trans)).toBe('Fan-in');
    expect(fanInTitle(job({ attempt: 2 }), trans)).toBe('Fan-in (run 2)');
  });

  it('says when a fan-in will start', () => {
    expect(fanInPendingText({ app: 'merge', when: 'all_completed' } as any, trans)).toBe(
      'Fan-in merge starts when every row has completed.'
    );
    expect(fanInPendingText({ app: 'merge', when: 'all_finished' } as any, trans)).toBe(
      'Fan-in merge starts when every row has finished.'
    );
  });
});

describe('sub-batches under fanned-out rows', () => {
  const kids = (total: number) => ({
    total,
    counts: {
      ...counts,
      created: 0,
      queued: 0,
      running: 1,
      completed: total - 1,
      error: 0,
      terminated: 0,
    },
    fanInJobId: null,
  });
  const fanned = (p: Partial<JobRecord>, total = 3) =>
    job({ ...p, children: kids(total) } as Partial<JobRecord>);
  const sub = (id: string, jobs: JobRecord[], nextCursor: string | null = null): SubBatch => ({
    ...withPage(loadingSubBatch(id), { jobs, nextCursor, seq: 1 }),
    id,
  });
  const top = [fanned({ id: 'A', status: 'running' }), job({ id: 'B' })];
  const expandedA: ExpandedRows = new Map([[0, [top[0]]]]);

  it('shows nothing under a closed row, and “loading” under an opened one until its page comes', () => {
    expect(ids(statusItems(top, query(), 0))).toEqual(['row-A', 'row-B']);
    const items = statusItems(top, query({ expanded: expandedA }), 0);
    expect(ids(items)).toEqual(['row-A', 'more-A', 'row-B']);
    expect(items[1]).toMatchObject({
      kind: 'more',
      depth: 1,
      parent: 'A',
      more: { state: 'loading', loaded: 0, total: 3 },
    });
  });

  it('indents the sub-batch rows, then says how many are shown while pages remain, then its fan-in', () => {
    const subs = new Map([
      [
        'A',
        sub(
          'A',
          [job({ id: 'a0', index: 0, batchId: 'A' }), job({ id: 'a1', index: 1, batchId: 'A' })],
          'c'
        ),
      ],
    ]);
    const items = statusItems(top, query({ expanded: expandedA, subs }), 0);
    expect(ids(items)).toEqual(['row-A', 'child-a0', 'child-a1', 'more-A', 'row-B']);
    expect(items[2]).toMatchObject({ kind: 'child', index: 1, depth: 1, parent: 'A' });
    expect(moreText(items[3].more!, trans)).toBe('2 of 3 sub-tasks shown');
    const whole = new Map([
      [
        'A',
        sub('A', [
          job({ id: 'a0', index: 0, batchId: 'A' }),
          job({ id: 'af', index: null, role: 'fan_in', batchId: 'A' }),
        ]),
      ],
    ]);
    const done = statusItems(top, query({ expanded: expandedA, subs: whole }), 0);
    expect(ids(done)).toEqual(['row-A', 'child-a0', 'child-af', 'row-B']);
    expect(done[2].index).toBe(-1);
  });

  it('nests open sub-batch rows deeper, and keeps sub-batches under their row whatever the sort', () => {
    const subs = new Map([
      ['A', sub('A', [fanned({ id: 'a0', index: 0, batchId: 'A' }, 1)])],
      ['a0', sub('a0', [job({ id: 'x', index: 0, batchId: 'a0' })])],
    ]);
    const closed = statusItems(top, query({ expanded: expandedA, subs }), 0);
    expect(ids(closed)).toEqual(['row-A', 'child-a0', 'row-B']);
    const open = new Set(['a0']);
    const items = statusItems(
      top,
      query({ expanded: expandedA, subs, open, sort: { key: 'row', dir: 'desc' } }),
      0
    );
    expect(ids(items)).toEqual(['row-B', 'row-A', 'child-a0', 'child-x']);
    expect(items[3].depth).toBe(2);
    expect(isOpen(items[1], expandedA, open)).toBe(true);
    expect(isOpen(items[2], expandedA, open)).toBe(true);
    expect(isOpen(items[3], expandedA, open)).toBe(false);
  });

  it('says when a sub-batch failed to load or has no rows yet', () => {
    const failed = new Map([
      ['A', { ...loadingSubBatch('A'), state: 'error' as const, error: 'boom' }],
    ]);
    const [, line] = statusItems(top, query({ expanded: expandedA, subs: failed }), 0);
    expect(moreText(line.more!, trans)).toBe('Could not load the sub-tasks: boom');
    const empty = new Map([['A', sub('A', [])]]);
    const [, none] = statusItems(top, query({ expanded: expandedA, subs: empty }), 0);
    expect(moreText(none.more!, trans)).toBe('No sub-tasks yet.');
  });

  it('expands fanned-out rows and sub-batch rows; sub-batch rows cancel and retry, but do not edit', () => {
    expect(itemActions({ kind: 'row', index: 0, job: top[0] }).expandable).toBe(true);
    const child: StatusItem = {
      kind: 'child',
      index: 0,
      depth: 1,
      parent: 'A',
      job: fanned({ id: 'c', status: 'error' }),
    };
    expect(itemActions(child)).toEqual({
      expandable: true,
      cancel: false,
      retry: true,
      edit: false,
    });
    expect(itemActions({ ...child, depth: 4 }).expandable).toBe(false);
    expect(itemActions({ ...child, job: job({ status: 'running' }) })).toEqual({
      expandable: false,
      cancel: true,
      retry: false,
      edit: false,
    });
    const more: StatusItem = { kind: 'more', index: -1, job: top[0], depth: 1, parent: 'A' };
    expect(itemActions(more)).toEqual({
      expandable: false,
      cancel: false,
      retry: false,
      edit: false,
    });
  });

  it('classes, labels and titles sub-batch lines', () => {
    const child: StatusItem = { kind: 'child', index: 2, depth: 1, job: job({ status: 'queued' }) };
    expect(itemClass(child, false)).toBe('jp-Bulkrun-table-row jp-Bulkrun-row-queued jp-mod-child');
    expect(itemClass({ kind: 'more', index: -1, job: top[0] }, true)).toBe(
      'jp-Bulkrun-table-row jp-mod-child jp-mod-more jp-mod-active'
    );
    expect(itemLogTitle(child, trans)).toBe('Sub-task 3, attempt 1');
    expect(itemLogTitle({ ...child, index: -1, job: job({ role: 'fan_in' }) }, trans)).toBe(
      'Sub-batch fan-in, attempt 1'
    );
    expect(itemLogTitle({ kind: 'row', index: 0, job: job({ attempt: 2 }) }, trans)).toBe(
      'Row 1, attempt 2'
    );
    expect(expandLabel({ kind: 'row', index: 0, job: top[0] }, false, trans)).toBe(
      'Show sub-tasks'
    );
    expect(expandLabel({ kind: 'row', index: 0, job: fanned({ attempt: 2 }) }, true, trans)).toBe(
      'Hide attempts and sub-tasks'
    );
    expect(expandLabel({ kind: 'row', index: 0, job: job({ attempt: 2 }) }, false, trans)).toBe(
      'Show attempts'
    );
  });
});
