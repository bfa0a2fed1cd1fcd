/** src/store/index.ts: the Store and its transactions, on a real SQLite file. */
import { Store } from '../../src/store';
import { insertJob, openTempStore, type TempStore } from './helpers';

let t: TempStore;
beforeEach(() => (t = openTempStore()));
afterEach(() => t.close());

test('tx commits its writes together and answers what fn returns', () => {
  const id = t.store.tx(() => {
    const a = insertJob(t.store);
    insertJob(t.store);
    return a.id;
  });
  expect(t.store.jobs.get(id)).toBeDefined();
  expect(t.store.db.inTransaction).toBe(false);
});

test('a throw rolls the whole transaction back', () => {
  expect(() =>
    t.store.tx(() => {
      insertJob(t.store, { id: 'rolledback1' });
      throw new Error('boom');
    })
  ).toThrow('boom');
  expect(t.store.jobs.get('rolledback1')).toBeUndefined();
});

test('a nested tx joins the outer one and rolls back only its own part', () => {
  t.store.tx(() => {
    insertJob(t.store, { id: 'outerjob01' });
    expect(() =>
      t.store.tx(() => {
        insertJob(t.store, { id: 'innerjob01' });
        throw new Error('inner');
      })
    ).toThrow('inner');
    expect(t.store.db.inTransaction).toBe(true);
  });
  expect(t.store.jobs.get('outerjob01')).toBeDefined();
  expect(t.store.jobs.get('innerjob01')).toBeUndefined();
});

test('what was committed is there after a reopen of the file', () => {
  insertJob(t.store, { id: 'persisted1' });
  t.store.close();
  const again = Store.open(t.file);
  try {
    expect(again.jobs.get('persisted1')?.status).toBe('created');
  } finally {
    again.close();
  }
  // Reopen for afterEach's close.
  t.store = Store.open(t.file);
});
