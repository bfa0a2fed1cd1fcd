/** src/store/events.ts: the persisted event log behind `seq`, on a real SQLite file. */
import type { JobEvent } from '../../src/protocol/events';
import { openTempStore, type TempStore } from './helpers';

let t: TempStore;
beforeEach(() => (t = openTempStore()));
afterEach(() => t.close());

const body = (id: string): Omit<JobEvent, 'seq'> => ({
  type: 'job',
  job: {
    id,
    status: 'created',
    batchId: null,
    index: null,
    role: 'single',
    attempt: 1,
    retryParent: null,
  },
});

test('append gives increasing seqs; since replays in order, up to a limit', () => {
  expect(t.store.events.maxSeq()).toBe(0);
  expect(t.store.events.minSeq()).toBeNull();
  const a = t.store.events.append<JobEvent>('alice', null, 'j1', body('j1'));
  const b = t.store.events.append<JobEvent>('bob', 'b1', 'j2', body('j2'));
  expect(b.seq).toBeGreaterThan(a.seq);
  expect(a.job.id).toBe('j1');
  expect(t.store.events.maxSeq()).toBe(b.seq);
  expect(t.store.events.minSeq()).toBe(a.seq);
  const replay = t.store.events.since(0, 10);
  expect(replay.map(e => [e.seq, e.owner, e.batch_id, e.job_id])).toEqual([
    [a.seq, 'alice', null, 'j1'],
    [b.seq, 'bob', 'b1', 'j2'],
  ]);
  expect(JSON.parse(replay[1].body)).toEqual(body('j2'));
  expect(t.store.events.since(a.seq, 10).map(e => e.seq)).toEqual([b.seq]);
  expect(t.store.events.since(0, 1)).toHaveLength(1);
});

test('prune drops old events but keeps the newest ones, and seq never goes back', () => {
  for (let i = 0; i < 5; i++) t.store.events.append('alice', null, `j${i}`, body(`j${i}`));
  const max = t.store.events.maxSeq();
  // Every event is older than -1 ms ago; keep the newest 2.
  expect(t.store.events.prune(-1000, 2)).toBe(3);
  expect(t.store.events.since(0, 10).map(e => e.seq)).toEqual([max - 1, max]);
  expect(t.store.events.prune(-1000, 0)).toBe(2);
  expect(t.store.events.minSeq()).toBeNull();
  // The counter, not MAX(seq): an empty log still answers the last seq, and the next is higher.
  expect(t.store.events.maxSeq()).toBe(max);
  expect(t.store.events.append('alice', null, 'j9', body('j9')).seq).toBe(max + 1);
  // Nothing is older than an hour: nothing pruned.
  expect(t.store.events.prune(3600_000, 0)).toBe(0);
});

test('prune: only events before the cutoff, the oldest `limit` at a time', () => {
  const { db } = t.store;
  const now = Date.now();
  for (let i = 0; i < 50; i++) t.store.events.append('alice', null, `j${i}`, body(`j${i}`));
  const max = t.store.events.maxSeq();
  const first = max - 49;
  // The first 30 are two hours old, the rest new.
  db.prepare('UPDATE events SET at = ? WHERE seq < ?').run(now - 7_200_000, first + 30);
  expect(t.store.events.prune(3_600_000, 0, 12)).toBe(12);
  expect(t.store.events.minSeq()).toBe(first + 12);
  expect(t.store.events.prune(3_600_000, 0, 12)).toBe(12);
  expect(t.store.events.prune(3_600_000, 0, 12)).toBe(6);
  expect(t.store.events.prune(3_600_000, 0, 12)).toBe(0);
  expect(t.store.events.minSeq()).toBe(first + 30);
  // keepAtLeast still wins over age.
  db.prepare('UPDATE events SET at = ?').run(now - 7_200_000);
  expect(t.store.events.prune(3_600_000, 15)).toBe(5);
  expect(t.store.events.since(0, 100)).toHaveLength(15);
});
