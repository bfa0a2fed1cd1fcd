import type { BatchCounts, JobEvent, JobRecord } from '../api/types';
import {
  applySubEvent,
  childProgressText,
  childrenOf,
  childSegments,
  childTitle,
  loadingSubBatch,
  MAX_DEPTH,
  pageFailed,
  pageRequested,
  toggleOpen,
  wantedSubBatches,
  withPage,
  type ChildSummary,
  type SubBatch,
} from '../model/subbatch';
import { trans } from './trans';

const counts = (c: Partial<BatchCounts> = {}): BatchCounts => ({
  created: 0,
  queued: 0,
  running: 0,
  completed: 0,
  error: 0,
  terminated: 0,
  ...c,
});

const kids = (total: number, c: Partial<BatchCounts>): ChildSummary => ({
  total,
  counts: counts(c),
  fanInJobId: null,
});

function job(p: Partial<JobRecord> & { children?: ChildSummary | null }): JobRecord {
  return {
    id: 'j',
    batchId: 'S',
    role: 'task',
    index: 0,
    status: 'running',
    attempt: 1,
    params: {},
    startedAt: null,
    finishedAt: null,
    ...p,
  } as unknown as JobRecord;
}

const ev = (seq: number, j: Partial<JobRecord> & { id: string }): JobEvent =>
  ({ type: 'job', seq, job: { batchId: 'S', role: 'task', status: 'running', ...j } }) as JobEvent;

const ready = (rows: JobRecord[], nextCursor: string | null = null): SubBatch =>
  withPage(loadingSubBatch('S'), { jobs: rows, nextCursor, seq: 10 });

describe('children of a row', () => {
  it('reads the sub-batch summary only when the row fanned out', () => {
    const c = kids(10, { completed: 5, error: 2, running: 3 });
    expect(childrenOf(job({ children: c }))).toBe(c);
    expect(childrenOf(job({}))).toBeNull();
    expect(childrenOf(job({ children: null }))).toBeNull();
    expect(childrenOf(undefined)).toBeNull();
  });

  it('says how many sub-tasks finished, and the counts in the tooltip', () => {
    const c = kids(10, { completed: 5, error: 2, running: 3 });
    expect(childProgressText(c)).toBe('7/10');
    expect(childTitle(c, trans)).toBe('Sub-batch: 7 of 10 done · 3 running, 5 completed, 2 failed');
  });

  it('draws finished segments first, waiting ones with queued, in shares of the total', () => {
    expect(childSegments(kids(10, { completed: 5, running: 1, created: 2, queued: 2 }))).toEqual([
      { status: 'completed', pct: 50 },
      { status: 'running', pct: 10 },
      { status: 'queued', pct: 40 },
    ]);
    expect(childSegments(kids(0, {}))).toEqual([]);
  });
});

describe('a sub-batch, page by page', () => {
  it('keeps rows in row order, the fan-in apart, and the next cursor', () => {
    const s = ready(
      [
        job({ id: 'b', index: 1 }),
        job({ id: 'a', index: 0 }),
        job({ id: 'f', index: null, role: 'fan_in' }),
      ],
      'c1'
    );
    expect(s.rows.map(r => r.id)).toEqual(['a', 'b']);
    expect(s.fanIn?.id).toBe('f');
    expect(s.nextCursor).toBe('c1');
    expect(s.state).toBe('ready');
  });

  it('adds the next page and applies the events that came meanwhile, newer than it', () => {
    const first = ready([job({ id: 'a', index: 0 })], 'c1');
    let s = pageRequested(first);
    expect(s.state).toBe('loading');
    // Row 1 is not loaded yet: kept for its page.
    s = applySubEvent(s, ev(11, { id: 'b', index: 1, status: 'running' }));
    s = applySubEvent(s, ev(13, { id: 'b', index: 1, status: 'completed' }));
    expect(s.rows).toHaveLength(1);
    s = withPage(s, {
      jobs: [job({ id: 'b', index: 1, status: 'running' })],
      nextCursor: null,
      seq: 12,
    });
    expect(s.rows.map(r => `${r.id}:${r.status}`)).toEqual(['a:running', 'b:completed']);
    expect(s.pending).toEqual([]);
    expect(s.nextCursor).toBeNull();
  });

  it('keeps loaded rows live, never moving a status backwards', () => {
    let s = ready([job({ id: 'a', index: 0, status: 'running' })]);
    s = applySubEvent(s, ev(20, { id: 'a', index: 0, status: 'completed', output: 1 }));
    expect(s.rows[0]).toMatchObject({ status: 'completed', output: 1 });
    const stale = applySubEvent(
      s,
      ev(21, { id: 'a', index: 0, status: 'running', startedAt: 'x' })
    );
    expect(stale.rows[0]).toMatchObject({ status: 'completed', startedAt: 'x' });
  });

  it('takes a nested row’s new counts from its own event', () => {
    const c = kids(4, { completed: 1, running: 3 });
    let s = ready([job({ id: 'a', index: 0, children: kids(4, { running: 4 }) })]);
    s = applySubEvent(
      s,
      ev(20, { id: 'a', index: 0, children: c } as Partial<JobRecord> & {
        id: string;
      })
    );
    expect(childrenOf(s.rows[0])).toEqual(c);
  });

  it('replaces a row by its newer attempt, and ignores older ones', () => {
    let s = ready([job({ id: 'a', index: 0, status: 'error', attempt: 1, output: 'x' })]);
    s = applySubEvent(s, ev(20, { id: 'a2', index: 0, status: 'created', attempt: 2 }));
    expect(s.rows[0]).toMatchObject({ id: 'a2', attempt: 2, status: 'created', output: null });
    expect(applySubEvent(s, ev(21, { id: 'a', index: 0, status: 'error', attempt: 1 }))).toBe(s);
  });

  it('adds unknown rows and the fan-in once every page is in, not before', () => {
    const partial = ready([job({ id: 'a', index: 0 })], 'c1');
    expect(applySubEvent(partial, ev(20, { id: 'z', index: 7 }))).toBe(partial);
    expect(applySubEvent(partial, ev(20, { id: 'f', index: null, role: 'fan_in' }))).toBe(partial);
    const whole = ready([job({ id: 'a', index: 0 })]);
    const s = applySubEvent(
      applySubEvent(whole, ev(20, { id: 'z', index: 7 })),
      ev(21, { id: 'f', index: null, role: 'fan_in', status: 'queued' })
    );
    expect(s.rows.map(r => r.id)).toEqual(['a', 'z']);
    expect(s.fanIn).toMatchObject({ id: 'f', status: 'queued' });
  });

  it('ignores other batches’ events', () => {
    const s = ready([job({ id: 'a', index: 0 })]);
    expect(
      applySubEvent(s, {
        ...ev(20, { id: 'a', index: 0 }),
        job: { id: 'a', status: 'completed', batchId: 'T', index: 0 },
      } as JobEvent)
    ).toBe(s);
  });

  it('says why a page failed and keeps its cursor to try again', () => {
    const s = pageFailed(pageRequested(ready([job({ id: 'a' })], 'c1')), 'boom');
    expect(s).toMatchObject({ state: 'error', error: 'boom', nextCursor: 'c1' });
    expect(s.rows).toHaveLength(1);
  });
});

describe('which sub-batches to list', () => {
  const fanned = (id: string, index = 0) => job({ id, index, children: kids(2, { running: 2 }) });

  it('lists nothing until a fanned-out row is expanded', () => {
    expect(wantedSubBatches([], new Set(), new Map())).toEqual([]);
    expect(wantedSubBatches([job({ id: 'plain' }), undefined], new Set(), new Map())).toEqual([]);
    expect(wantedSubBatches([fanned('A')], new Set(), new Map())).toEqual(['A']);
  });

  it('follows open nested rows inside listed sub-batches, to the depth limit', () => {
    const subs = new Map<string, SubBatch>();
    const chain = ['A', 'B', 'C', 'D', 'E', 'F'];
    chain.forEach((id, i) => {
      const next = chain[i + 1];
      subs.set(id, { ...ready(next ? [fanned(next)] : []), id });
    });
    const open = new Set(chain);
    const want = wantedSubBatches([fanned('A')], open, subs);
    expect(want).toEqual(chain.slice(0, MAX_DEPTH));
    // A closed row closes everything under it.
    expect(wantedSubBatches([fanned('A')], new Set(['C']), subs)).toEqual(['A']);
  });

  it('opens and closes a nested row by id, without changing the old set', () => {
    const none = new Set<string>();
    const one = toggleOpen(none, 'x');
    expect([...one]).toEqual(['x']);
    expect(none.size).toBe(0);
    expect(toggleOpen(one, 'x').size).toBe(0);
  });
});
