/** src/store/batches.ts: batch fields and their row counts, on a real SQLite file. */
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

const counts = (id: string) => {
  const b = t.store.batches.get(id)!;
  return [b.n_created, b.n_queued, b.n_running, b.n_completed, b.n_error, b.n_terminated];
};

test('insert then get, with the defaults of the other columns', () => {
  const id = insertBatch(t.store, {
    label: 'L',
    total: 3,
    max_parallel: 2,
    max_retries: 1,
    n_created: 3,
  });
  expect(t.store.batches.get(id)).toMatchObject({
    id,
    label: 'L',
    total: 3,
    max_parallel: 2,
    max_retries: 1,
    n_created: 3,
    n_completed: 0,
    cancelled: null,
    fan_in_job_id: null,
    auto_retries: 0,
    fan_in_stale: 0,
  });
  expect(t.store.batches.get('nosuchbatch')).toBeUndefined();
});

test('a batch row needs its parent job (foreign key)', () => {
  expect(() =>
    t.store.batches.insert({
      id: 'noparent01',
      label: '',
      total: 0,
      fan_in: null,
      max_parallel: null,
      max_retries: 0,
      idempotency_key: null,
      n_created: 0,
    })
  ).toThrow(/FOREIGN KEY/);
});

test('idempotency keys: found by key, and unique', () => {
  const id = insertBatch(t.store, { idempotency_key: 'alice:k1' });
  insertBatch(t.store); // no key: any number of them
  insertBatch(t.store);
  expect(t.store.batches.byIdempotencyKey('alice:k1')!.id).toBe(id);
  expect(t.store.batches.byIdempotencyKey('alice:k2')).toBeUndefined();
  expect(() => insertBatch(t.store, { idempotency_key: 'alice:k1' })).toThrow(/UNIQUE/);
});

test('shiftCount moves one row between count columns; null is outside the counts', () => {
  const id = insertBatch(t.store, { total: 2, n_created: 2 });
  t.store.batches.shiftCount(id, 'created', 'queued');
  t.store.batches.shiftCount(id, 'queued', 'running');
  t.store.batches.shiftCount(id, 'running', 'running'); // no change
  t.store.batches.shiftCount(id, 'created', 'completed');
  expect(counts(id)).toEqual([0, 0, 1, 1, 0, 0]);
  t.store.batches.shiftCount(id, null, 'error');
  t.store.batches.shiftCount(id, 'running', null);
  expect(counts(id)).toEqual([0, 0, 0, 1, 1, 0]);
});

test('recount rebuilds the counts from each row newest attempt, fan-in not counted', () => {
  const id = insertBatch(t.store, { total: 3 });
  const r0 = insertRow(t.store, id, 0, { status: 'error' });
  insertRetry(t.store, r0, { status: 'running' });
  insertRow(t.store, id, 1, { status: 'completed' });
  insertRow(t.store, id, 2, { status: 'terminated' });
  insertJob(t.store, { batch_id: id, role: 'fan_in', status: 'queued' });
  t.store.batches.update(id, { n_created: 9, n_error: 4 }); // wrong, as after a crash
  t.store.batches.recount(id);
  expect(counts(id)).toEqual([0, 0, 1, 1, 0, 1]);
});

test('update patches only the given columns', () => {
  const id = insertBatch(t.store, { label: 'keep' });
  t.store.batches.update(id, { cancelled: 'user', fan_in_stale: 1 });
  t.store.batches.update(id, {});
  expect(t.store.batches.get(id)).toMatchObject({
    cancelled: 'user',
    fan_in_stale: 1,
    label: 'keep',
  });
});
