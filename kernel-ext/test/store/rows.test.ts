/** src/store/rows.ts: stored rows → public records, on rows read back from a real SQLite file. */
import { countsOf, iso, toBatchRecord, toJobRecord } from '../../src/store/rows';
import { insertBatch, insertJob, insertRow, openTempStore, type TempStore } from './helpers';

let t: TempStore;
beforeEach(() => (t = openTempStore()));
afterEach(() => t.close());

test('toJobRecord: JSON columns parsed, times as ISO, error only with a code', () => {
  const j = insertJob(t.store, { params: '{"a":1}', resources: '{"cpus":2}', created_at: 0 });
  t.store.jobs.update(j.id, {
    status: 'error',
    finished_at: 1000,
    output: '{"r":true}',
    error_code: 'oom',
    error_message: 'killed',
    params_edited: 1,
  });
  const rec = toJobRecord(t.store.jobs.get(j.id)!, ['r2', 'r3']);
  expect(rec).toMatchObject({
    id: j.id,
    params: { a: 1 },
    resources: { cpus: 2 },
    createdAt: '1970-01-01T00:00:00.000Z',
    queuedAt: null,
    finishedAt: '1970-01-01T00:00:01.000Z',
    output: { r: true },
    error: { code: 'oom', message: 'killed' },
    retryIds: ['r2', 'r3'],
    retryCount: 2,
    paramsEdited: true,
  });
  t.store.jobs.update(j.id, { error_code: null, output: null });
  const clean = toJobRecord(t.store.jobs.get(j.id)!, []);
  expect(clean.error).toBeNull();
  expect(clean.output).toBeNull();
  expect(iso(null)).toBeNull();
});

test('countsOf and toBatchRecord: the batch fields of a batch parent', () => {
  const fanIn = { app: 'merge', params: {}, resources: {}, when: 'all_completed' };
  const id = insertBatch(t.store, {
    label: 'L',
    total: 2,
    n_created: 2,
    fan_in: JSON.stringify(fanIn),
  });
  t.store.batches.shiftCount(id, 'created', 'completed');
  const row = insertRow(t.store, id, 0);
  const b = t.store.batches.get(id)!;
  expect(countsOf(b)).toEqual({
    created: 2,
    queued: 0,
    running: 0,
    completed: 1,
    error: 0,
    terminated: 0,
  });
  const rec = toBatchRecord(toJobRecord(t.store.jobs.get(id)!, []), b, [row.id]);
  expect(rec).toMatchObject({
    batchJob: true,
    childJobIds: [row.id],
    label: 'L',
    total: 2,
    counts: countsOf(b),
    fanIn,
    fanInJobId: null,
    maxParallel: null,
  });
});
