/** src/store/attempts.ts: a row's attempts and its newest one, on a real SQLite file. */
import {
  insertBatch,
  insertJob,
  insertRetry,
  insertRow,
  openTempStore,
  type TempStore,
} from './helpers';

let t: TempStore;
beforeEach(() => (t = openTempStore()));
afterEach(() => t.close());

const latestFlags = (rootId: string) =>
  t.store.attempts.of(rootId).map(a => [a.attempt, a.is_latest]);

test('of, latest, retryIds and retryCount follow the retry chain', () => {
  const root = insertJob(t.store, { status: 'error' });
  expect(t.store.attempts.of(root.id).map(a => a.id)).toEqual([root.id]);
  expect(t.store.attempts.latest(root.id)!.id).toBe(root.id);
  expect(t.store.attempts.retryIds(root.id)).toEqual([]);
  expect(t.store.attempts.retryCount(root.id)).toBe(0);

  const r2 = insertRetry(t.store, root, { status: 'error' });
  const r3 = insertRetry(t.store, root);
  insertJob(t.store); // unrelated
  expect(t.store.attempts.of(root.id).map(a => a.id)).toEqual([root.id, r2.id, r3.id]);
  expect(t.store.attempts.latest(root.id)!.id).toBe(r3.id);
  expect(t.store.attempts.retryIds(root.id)).toEqual([r2.id, r3.id]);
  expect(t.store.attempts.retryCount(root.id)).toBe(2);
  // Invariant kept by the writer: only the newest attempt is latest.
  expect(latestFlags(root.id)).toEqual([
    [1, 0],
    [2, 0],
    [3, 1],
  ]);
  expect(t.store.attempts.latest('nosuchroot')).toBeNull();
});

test('retryIdsMany: many roots in one query, roots without retries absent', () => {
  const a = insertJob(t.store);
  const b = insertJob(t.store);
  const c = insertJob(t.store);
  const a2 = insertRetry(t.store, a);
  const a3 = insertRetry(t.store, a);
  const c2 = insertRetry(t.store, c);
  const m = t.store.attempts.retryIdsMany([a.id, b.id, c.id]);
  expect(m.get(a.id)).toEqual([a2.id, a3.id]);
  expect(m.has(b.id)).toBe(false);
  expect(m.get(c.id)).toEqual([c2.id]);
  expect(t.store.attempts.retryIdsMany([]).size).toBe(0);
});

test('relinkLatest re-derives the newest attempt after a crash left the flags wrong', () => {
  const root = insertJob(t.store, { status: 'error' });
  const r2 = insertRetry(t.store, root, { status: 'error' });
  const r3 = insertRetry(t.store, root);
  // A crash between "old attempt no longer latest" and the new row: two flags, or none.
  t.store.jobs.update(r2.id, { is_latest: 1 });
  t.store.jobs.update(r3.id, { is_latest: 0 });
  expect(t.store.attempts.relinkLatest(root.id)).toBe(r3.id);
  expect(latestFlags(root.id)).toEqual([
    [1, 0],
    [2, 0],
    [3, 1],
  ]);
  expect(t.store.attempts.relinkLatest('nosuchroot')).toBeNull();
});

test('open: unfinished retry lifecycles, but not young created retries', () => {
  const root = insertJob(t.store, { status: 'error' });
  const young = insertRetry(t.store, root, { retry_complete: 0, created_at: 900 });
  const old = insertRetry(t.store, root, { retry_complete: 0, created_at: 10 });
  const queued = insertRetry(t.store, root, {
    retry_complete: 0,
    created_at: 900,
    status: 'queued',
  });
  insertRetry(t.store, root, { retry_complete: 1, created_at: 10 });
  const ids = t.store.attempts.open(100, 10).map(r => r.id);
  expect(ids.sort()).toEqual([old.id, queued.id].sort());
  expect(ids).not.toContain(young.id);
  // The oldest first, at most `limit`.
  expect(t.store.attempts.open(100, 1).map(r => r.id)).toEqual([old.id]);
});

test('latestOfBatch: newest attempts in the given states, rows by index then the fan-in', () => {
  const b = insertBatch(t.store);
  const r0 = insertRow(t.store, b, 0, { status: 'error' });
  insertRetry(t.store, r0, { status: 'completed' }); // row 0's newest is completed
  const r1 = insertRow(t.store, b, 1, { status: 'terminated' });
  const r2 = insertRow(t.store, b, 2, { status: 'error' });
  const fan = insertJob(t.store, { batch_id: b, role: 'fan_in', status: 'error' });
  expect(t.store.attempts.latestOfBatch(b, ['error', 'terminated'])).toEqual([
    r1.id,
    r2.id,
    fan.id,
  ]);
  expect(t.store.attempts.latestOfBatch(b, ['terminated'])).toEqual([r1.id]);

  // Paged: the same ids in the same order, however the pages are cut.
  for (const n of [1, 2, 5]) {
    const page = t.store.attempts.latestOfBatchPages(b, ['error', 'terminated']);
    const got: string[] = [];
    for (let ids = page(n); ids.length; ids = page(n)) {
      expect(ids.length).toBeLessThanOrEqual(Math.max(n, 1));
      got.push(...ids);
    }
    expect(got).toEqual([r1.id, r2.id, fan.id]);
  }
  // A row retried between pages (its newest attempt now `created`) is not given again.
  const page = t.store.attempts.latestOfBatchPages(b, ['error', 'terminated']);
  expect(page(1)).toEqual([r1.id]);
  insertRetry(t.store, r1, { status: 'created' });
  expect([...page(5), ...page(5)]).toEqual([r2.id, fan.id]);
});

test('latestOutputs: each row newest output in row order, null when none', () => {
  const b = insertBatch(t.store);
  const r1 = insertRow(t.store, b, 1);
  t.store.jobs.update(r1.id, { output: '{"v":1}' });
  const r0 = insertRow(t.store, b, 0);
  t.store.jobs.update(r0.id, { output: '{"v":"old"}' });
  const r0b = insertRetry(t.store, r0);
  t.store.jobs.update(r0b.id, { output: '[2]' });
  insertRow(t.store, b, 2); // no output yet
  const fan = insertJob(t.store, { batch_id: b, role: 'fan_in' });
  t.store.jobs.update(fan.id, { output: '"fan"' });
  expect(t.store.attempts.latestOutputs(b)).toEqual([[2], { v: 1 }, null]);
});
