/** src/store/queue.ts: the queue of waiting jobs and its pick order, on a real SQLite file. */
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

test('waiting: each owner and backend with waiting jobs, once, in order', () => {
  expect(t.store.queue.waiting()).toEqual([]);
  insertJob(t.store, { owner: 'bob', backend: 'local' });
  insertJob(t.store, { owner: 'alice', backend: 'slurm' });
  insertJob(t.store, { owner: 'alice', backend: 'local' });
  insertJob(t.store, { owner: 'alice', backend: 'local' });
  // Not waiting: claimed, past created, or a batch parent.
  const claimed = insertJob(t.store, { owner: 'carol' });
  t.store.slots.claim('g', 'tok-0123456789abcdef', claimed.id);
  insertJob(t.store, { owner: 'dave', status: 'queued' });
  insertJob(t.store, { owner: 'erin', is_batch: 1, status: 'created' });
  expect(t.store.queue.waiting()).toEqual([
    { owner: 'alice', backend: 'local' },
    { owner: 'alice', backend: 'slurm' },
    { owner: 'bob', backend: 'local' },
  ]);
});

test('next: singles, then fan-ins, then rows; then priority, age, index', () => {
  const b = insertBatch(t.store, { total: 3, n_created: 0 });
  const row2 = insertRow(t.store, b, 2, { created_at: 5 });
  const row1 = insertRow(t.store, b, 1, { created_at: 5 });
  const rowHigh = insertRow(t.store, b, 0, { created_at: 9, priority: 3 });
  const fan = insertJob(t.store, { batch_id: b, role: 'fan_in', created_at: 99 });
  const singleOld = insertJob(t.store, { created_at: 1 });
  const singleNew = insertJob(t.store, { created_at: 2 });
  const singleLow = insertJob(t.store, { created_at: 0, priority: -1 });
  insertJob(t.store, { owner: 'bob' });
  insertJob(t.store, { backend: 'slurm' });
  const order = [singleOld, singleNew, singleLow, fan, rowHigh, row1, row2].map(r => r.id);
  expect(t.store.queue.next('alice', 'local', 100).map(r => r.id)).toEqual(order);
  // Paged: limit and offset.
  expect(t.store.queue.next('alice', 'local', 2, 3).map(r => r.id)).toEqual(order.slice(3, 5));
});

test('next carries the batch maxParallel and its rows still pending', () => {
  const b = insertBatch(t.store, { total: 2, max_parallel: 1 });
  const r0 = insertRow(t.store, b, 0);
  insertRow(t.store, b, 1, { status: 'running' });
  const single = insertJob(t.store);
  const got = new Map(t.store.queue.next('alice', 'local', 10).map(r => [r.id, r]));
  expect(got.get(r0.id)).toMatchObject({ max_parallel: 1, rows_pending: 2, batch_id: b });
  expect(got.get(single.id)).toMatchObject({ max_parallel: null, rows_pending: null });
  expect(got.size).toBe(2);
});

test('next leaves out the rows of held batches (from the given attempt) and of cancelled ones', () => {
  const held = insertBatch(t.store, { total: 2, max_parallel: 1 });
  const h0 = insertRow(t.store, held, 0);
  const hFan = insertJob(t.store, { batch_id: held, role: 'fan_in' });
  const other = insertBatch(t.store, { total: 1 });
  const o0 = insertRow(t.store, other, 0);
  const gone = insertBatch(t.store, { total: 1 });
  insertRow(t.store, gone, 0);
  t.store.batches.update(gone, { cancelled: 'user' });
  const ids = (held_: string[], from = 1) =>
    t.store.queue
      .next('alice', 'local', 10, 0, held_, from)
      .map(r => r.id)
      .sort();
  expect(ids([])).toEqual([h0.id, hFan.id, o0.id].sort());
  // A held batch's fan-in is not a row maxParallel governs: it stays.
  expect(ids([held])).toEqual([hFan.id, o0.id].sort());
  // On a scheduler that throttles first attempts itself, only retries are held.
  const retry = insertRetry(t.store, h0);
  expect(ids([held], 2)).toEqual([h0.id, hFan.id, o0.id].sort());
  expect(ids([held], 2)).not.toContain(retry.id);
});
