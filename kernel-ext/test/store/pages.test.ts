/** src/store/pages.ts: keyset-paged lists, on a real SQLite file. */
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

test('top: batch parents, with single jobs if asked, newest first, never a batch row', () => {
  const b1 = insertBatch(t.store, { created_at: 10 });
  const b2 = insertBatch(t.store, { created_at: 20 });
  insertRow(t.store, b1, 0);
  const s1 = insertJob(t.store, { created_at: 15 });
  const s2 = insertJob(t.store, { created_at: 25, status: 'completed' });
  insertBatch(t.store, { owner: 'bob', created_at: 30 });
  expect(t.store.pages.top({ withSingles: false, owner: 'alice' }, 10).map(r => r.id)).toEqual([
    b2,
    b1,
  ]);
  expect(t.store.pages.top({ withSingles: true, owner: 'alice' }, 10).map(r => r.id)).toEqual([
    s2.id,
    b2,
    s1.id,
    b1,
  ]);
  expect(
    t.store.pages.top({ withSingles: true, owner: 'alice', status: 'completed' }, 10).map(r => r.id)
  ).toEqual([s2.id]);
  // Every owner's (an admin's list).
  expect(t.store.pages.top({ withSingles: false }, 10)).toHaveLength(3);
});

test('top pages by (created_at, id): limit + 1 rows, then from the cursor on', () => {
  const ids = [1, 2, 3, 4, 5].map(i => insertBatch(t.store, { created_at: i % 2 === 0 ? 50 : i }));
  const all = t.store.pages.top({ withSingles: false, owner: 'alice' }, 10);
  const first = t.store.pages.top({ withSingles: false, owner: 'alice' }, 2);
  expect(first.map(r => r.id)).toEqual(all.slice(0, 3).map(r => r.id));
  const last = first[1];
  const rest = t.store.pages.top(
    { withSingles: false, owner: 'alice', before: { at: last.created_at, id: last.id } },
    10
  );
  expect(rest.map(r => r.id)).toEqual(all.slice(2).map(r => r.id));
  expect(new Set([...first.slice(0, 2), ...rest].map(r => r.id))).toEqual(new Set(ids));
});

test('ofBatch: rows by index then the fan-in, attempts oldest first; latest only; status', () => {
  const b = insertBatch(t.store);
  const fan = insertJob(t.store, { batch_id: b, role: 'fan_in' });
  const r1 = insertRow(t.store, b, 1, { status: 'completed' });
  const r0 = insertRow(t.store, b, 0, { status: 'error' });
  const r0b = insertRetry(t.store, r0, { status: 'completed' });
  const all = t.store.pages.ofBatch(b, { latestOnly: false }, 10);
  expect(all.map(r => r.id)).toEqual([r0.id, r0b.id, r1.id, fan.id]);
  expect(all.map(r => r.sk)).toEqual([0, 0, 1, 1000000000]);
  expect(t.store.pages.ofBatch(b, { latestOnly: true }, 10).map(r => r.id)).toEqual([
    r0b.id,
    r1.id,
    fan.id,
  ]);
  expect(
    t.store.pages.ofBatch(b, { latestOnly: false, status: 'completed' }, 10).map(r => r.id)
  ).toEqual([r0b.id, r1.id]);
  // limit + 1, then after the last one's (sort key, attempt).
  const page = t.store.pages.ofBatch(b, { latestOnly: false }, 1);
  expect(page.map(r => r.id)).toEqual([r0.id, r0b.id]);
  const rest = t.store.pages.ofBatch(
    b,
    { latestOnly: false, after: { sk: page[0].sk, attempt: page[0].attempt } },
    10
  );
  expect(rest.map(r => r.id)).toEqual([r0b.id, r1.id, fan.id]);
});
