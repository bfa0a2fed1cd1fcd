/** src/store/writes.ts: batches whose rows are still being written, on a real SQLite file. */
import { insertJob, openTempStore, type TempStore } from './helpers';

let t: TempStore;
beforeEach(() => (t = openTempStore()));
afterEach(() => t.close());

const record = (batchId: string) => ({
  batch_id: batchId,
  template: JSON.stringify({ owner: 'alice' }),
  ids: JSON.stringify(['a1', 'a2', 'a3']),
  params: JSON.stringify([{ n: 1 }, { n: 2 }, { n: 3 }]),
});

test('a record is kept until removed, and open() lists records oldest first', () => {
  const b1 = insertJob(t.store, { is_batch: 1 });
  const b2 = insertJob(t.store, { is_batch: 1 });
  t.store.writes.insert(record(b2.id));
  t.store.writes.insert(record(b1.id));
  expect(t.store.writes.open()).toEqual([b2.id, b1.id]);
  expect(t.store.writes.get(b1.id)).toEqual(record(b1.id));
  t.store.writes.remove(b2.id);
  expect(t.store.writes.open()).toEqual([b1.id]);
  expect(t.store.writes.get(b2.id)).toBeUndefined();
});

test('writtenUpTo counts the rows in jobs from row 0; retries of a row do not count twice', () => {
  const b = insertJob(t.store, { is_batch: 1 });
  t.store.writes.insert(record(b.id));
  expect(t.store.writes.writtenUpTo(b.id)).toBe(0);
  for (const idx of [0, 1]) insertJob(t.store, { batch_id: b.id, role: 'task', idx });
  expect(t.store.writes.writtenUpTo(b.id)).toBe(2);
  insertJob(t.store, { batch_id: b.id, role: 'task', idx: 1, attempt: 2 });
  // A fan-in has no row index and is not a row.
  insertJob(t.store, { batch_id: b.id, role: 'fan_in', idx: null });
  expect(t.store.writes.writtenUpTo(b.id)).toBe(2);
});

test('a record needs its batch row, and goes with it', () => {
  expect(() => t.store.writes.insert(record('nosuchbatch0'))).toThrow(/FOREIGN KEY/);
  const b = insertJob(t.store, { is_batch: 1 });
  t.store.writes.insert(record(b.id));
  t.store.db.prepare('DELETE FROM jobs WHERE id = ?').run(b.id);
  expect(t.store.writes.open()).toEqual([]);
});
