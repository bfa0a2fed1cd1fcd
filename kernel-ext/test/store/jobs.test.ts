/** src/store/jobs.ts against a real SQLite file with the real migrations. */
import { DatabaseSync } from 'node:sqlite';
import {
  insertBatch,
  insertJob,
  insertRetry,
  insertRow,
  newJob,
  openTempStore,
  type TempStore,
} from './helpers';

let t: TempStore;
beforeEach(() => (t = openTempStore()));
afterEach(() => t.close());

test('insert then get: the bookkeeping columns start empty', () => {
  const j = newJob({ params: '{"x":1}', priority: 5 });
  t.store.jobs.insert(j);
  const row = t.store.jobs.get(j.id)!;
  expect(row).toMatchObject({ ...j });
  expect(row).toMatchObject({
    holds_slot: 0,
    submit_state: null,
    submit_group: null,
    backend_job_id: null,
    queued_at: null,
    output: null,
    params_edited: 0,
  });
  expect(t.store.jobs.get('nosuchjob1')).toBeUndefined();
});

test('ids are unique', () => {
  insertJob(t.store, { id: 'samejobid1' });
  expect(() => insertJob(t.store, { id: 'samejobid1' })).toThrow(/UNIQUE/);
});

test('update patches only the given columns; an empty patch is a no-op', () => {
  const row = insertJob(t.store);
  t.store.jobs.update(row.id, { status: 'queued', queued_at: 5 });
  t.store.jobs.update(row.id, {});
  // The same shape again uses the cached statement.
  t.store.jobs.update(row.id, { status: 'running', queued_at: 6 });
  expect(t.store.jobs.get(row.id)).toMatchObject({
    status: 'running',
    queued_at: 6,
    params: row.params,
    owner: row.owner,
  });
});

test('byBatch, idsOfBatch and rowRoots: orders and which jobs', () => {
  const b = insertBatch(t.store);
  const r1 = insertRow(t.store, b, 1);
  const r0 = insertRow(t.store, b, 0);
  const r0b = insertRetry(t.store, r0);
  const fan = insertJob(t.store, { batch_id: b, role: 'fan_in' });
  insertJob(t.store); // another job, not of the batch
  expect(t.store.jobs.byBatch(b).map(r => r.id)).toEqual([fan.id, r0.id, r0b.id, r1.id]);
  // childJobIds: rows (attempts oldest first), then the fan-in.
  expect(t.store.jobs.idsOfBatch(b)).toEqual([r0.id, r0b.id, r1.id, fan.id]);
  // One id per row: its first attempt.
  expect(t.store.jobs.rowRoots(b)).toEqual([r0.id, r1.id]);
});

test('idsOfBatchPart: row ranges, then the other jobs; in order, the parts are idsOfBatch', () => {
  const b = insertBatch(t.store);
  const rows = [0, 1, 2, 3, 4].map(i => insertRow(t.store, b, i));
  const r2b = insertRetry(t.store, rows[2]);
  const fan = insertJob(t.store, { batch_id: b, role: 'fan_in' });
  expect(t.store.jobs.idsOfBatchPart(b, 0, 2)).toEqual([rows[0].id, rows[1].id]);
  // Every attempt of a row is in its row's part, oldest first.
  expect(t.store.jobs.idsOfBatchPart(b, 2, 4)).toEqual([rows[2].id, r2b.id, rows[3].id]);
  expect(t.store.jobs.idsOfBatchPart(b, 4, 6)).toEqual([rows[4].id]);
  expect(t.store.jobs.idsOfBatchPart(b, 0, null)).toEqual([fan.id]);
  const parts = [0, 2, 4].flatMap(i => t.store.jobs.idsOfBatchPart(b, i, i + 2));
  expect([...parts, ...t.store.jobs.idsOfBatchPart(b, 0, null)]).toEqual(
    t.store.jobs.idsOfBatch(b)
  );
});

test('idsOfBatch reads the covering index in its order: no table lookup, no sort', () => {
  const db = new DatabaseSync(t.file);
  try {
    const plan = (sql: string) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('b') as { detail: string }[]).map(
        r => r.detail
      );
    expect(
      plan('SELECT id FROM jobs WHERE batch_id = ? ORDER BY role DESC, idx, attempt')
    ).toEqual(['SEARCH jobs USING COVERING INDEX jobs_batch_ids (batch_id=?)']);
  } finally {
    db.close();
  }
});

test('hasUnfinished: any job not terminal', () => {
  expect(t.store.jobs.hasUnfinished()).toBe(false);
  const a = insertJob(t.store, { status: 'completed' });
  expect(t.store.jobs.hasUnfinished()).toBe(false);
  t.store.jobs.update(a.id, { status: 'running' });
  expect(t.store.jobs.hasUnfinished()).toBe(true);
});

test('queuedOfBatch and prioritizeBatch: ended jobs keep their priority', () => {
  const b = insertBatch(t.store);
  const queued = insertRow(t.store, b, 0, { status: 'queued' });
  const created = insertRow(t.store, b, 1);
  const done = insertRow(t.store, b, 2, { status: 'completed' });
  const other = insertJob(t.store, { status: 'queued' });
  expect(t.store.jobs.queuedOfBatch(b).map(r => r.id)).toEqual([queued.id]);
  t.store.jobs.prioritizeBatch(b, 7);
  expect(t.store.jobs.get(queued.id)!.priority).toBe(7);
  expect(t.store.jobs.get(created.id)!.priority).toBe(7);
  expect(t.store.jobs.get(done.id)!.priority).toBe(0);
  expect(t.store.jobs.get(other.id)!.priority).toBe(0);
});

test('staleCreated: old created jobs with an open intent or an unknown backend only', () => {
  const intent = insertJob(t.store, { created_at: 10 });
  t.store.jobs.update(intent.id, { submit_state: 'intent' });
  const unknown = insertJob(t.store, { created_at: 10, backend: 'gone' });
  insertJob(t.store, { created_at: 10 }); // waiting for a slot: by design, not stale
  const young = insertJob(t.store, { created_at: 500, backend: 'gone' });
  insertJob(t.store, { created_at: 10, backend: 'gone', is_batch: 1 }); // batch parent
  insertJob(t.store, { created_at: 10, backend: 'gone', status: 'queued' });
  const ids = t.store.jobs.staleCreated(100, ['local']).map(r => r.id);
  expect(ids.sort()).toEqual([intent.id, unknown.id].sort());
  expect(ids).not.toContain(young.id);
  // Every backend known: only the open intent.
  expect(t.store.jobs.staleCreated(100, ['local', 'gone']).map(r => r.id)).toEqual([intent.id]);
});

test('queuedBefore: jobs queued since before the time, not batch parents', () => {
  const old = insertJob(t.store, { status: 'queued' });
  t.store.jobs.update(old.id, { queued_at: 10 });
  const recent = insertJob(t.store, { status: 'queued' });
  t.store.jobs.update(recent.id, { queued_at: 500 });
  const parent = insertJob(t.store, { status: 'queued', is_batch: 1 });
  t.store.jobs.update(parent.id, { queued_at: 10 });
  const running = insertJob(t.store, { status: 'running' });
  t.store.jobs.update(running.id, { queued_at: 10 });
  expect(t.store.jobs.queuedBefore(100).map(r => r.id)).toEqual([old.id]);
});

test('openTasksFrom reads a batch’s open rows from a row index; openOthers its open fan-in', () => {
  const b = insertBatch(t.store, { total: 5 });
  const rows = [0, 1, 2, 3, 4].map(i => insertRow(t.store, b, i));
  t.store.jobs.update(rows[1].id, { status: 'completed' });
  const retry = insertRetry(t.store, rows[3]);
  const fan = insertJob(t.store, { batch_id: b, role: 'fan_in' });
  const ids = (from: number, limit: number) =>
    t.store.jobs.openTasksFrom(b, from, limit).map(r => r.id);
  expect(ids(0, 10)).toEqual([rows[0], rows[2], rows[3], retry, rows[4]].map(r => r.id));
  // From an index: that index's attempts too (a chunk may end between them).
  expect(ids(3, 2)).toEqual([rows[3].id, retry.id]);
  expect(t.store.jobs.openOthers(b).map(r => r.id)).toEqual([fan.id]);
});

test('interruptedCancels: cancelled batches that still have open rows', () => {
  const done = insertBatch(t.store, { total: 1 });
  insertRow(t.store, done, 0, { status: 'terminated' });
  t.store.batches.update(done, { cancelled: 'user' });
  const half = insertBatch(t.store, { total: 2 });
  insertRow(t.store, half, 0, { status: 'terminated' });
  insertRow(t.store, half, 1, { status: 'queued' });
  t.store.batches.update(half, { cancelled: 'user' });
  const open = insertBatch(t.store, { total: 1 });
  insertRow(t.store, open, 0);
  expect(t.store.jobs.interruptedCancels()).toEqual([half]);
});
