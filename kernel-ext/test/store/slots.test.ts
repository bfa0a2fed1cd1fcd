/** src/store/slots.ts: claims, slots and submission bookkeeping, on a real SQLite file. */
import { SLOT_FREED, slotKey } from '../../src/store/slots';
import { insertBatch, insertJob, insertRow, openTempStore, type TempStore } from './helpers';

let t: TempStore;
beforeEach(() => (t = openTempStore()));
afterEach(() => t.close());

const TOKEN = 'tok-0123456789abcdef';

test('claim records the intent, takes the slot and mints the token, only while created', () => {
  const j = insertJob(t.store);
  expect(t.store.slots.claim('group1', TOKEN, j.id)).toBe(true);
  expect(t.store.jobs.get(j.id)).toMatchObject({
    submit_group: 'group1',
    submit_state: 'intent',
    holds_slot: 1,
    job_token: TOKEN,
    status: 'created',
  });
  const ended = insertJob(t.store, { status: 'terminated' });
  expect(t.store.slots.claim('group1', TOKEN + 'x', ended.id)).toBe(false);
  expect(t.store.jobs.get(ended.id)).toMatchObject({
    submit_state: null,
    holds_slot: 0,
    job_token: null,
  });
});

test('inUse counts slots held per owner and backend', () => {
  const claim = (owner: string, backend: string) => {
    const j = insertJob(t.store, { owner, backend });
    t.store.slots.claim('g', TOKEN, j.id);
    return j;
  };
  claim('alice', 'local');
  claim('alice', 'local');
  claim('alice', 'slurm');
  const bob = claim('bob', 'local');
  insertJob(t.store, { owner: 'carol' }); // waiting: holds nothing
  // A job that ended gave its slot back (the lifecycle writes SLOT_FREED with the status).
  t.store.jobs.update(bob.id, { status: 'completed', ...SLOT_FREED });
  const m = t.store.slots.inUse();
  expect(m.get(slotKey('alice', 'local'))).toBe(2);
  expect(m.get(slotKey('alice', 'slurm'))).toBe(1);
  expect(m.has(slotKey('bob', 'local'))).toBe(false);
  expect(m.size).toBe(2);
  expect(SLOT_FREED).toEqual({ holds_slot: 0 });
});

test('batchInUse counts a batch rows in the scheduler or holding a slot', () => {
  const b = insertBatch(t.store);
  insertRow(t.store, b, 0, { status: 'queued' });
  insertRow(t.store, b, 1, { status: 'running' });
  const claimed = insertRow(t.store, b, 2);
  t.store.slots.claim('g', TOKEN, claimed.id);
  insertRow(t.store, b, 3); // waiting
  insertRow(t.store, b, 4, { status: 'completed' });
  insertJob(t.store, { batch_id: b, role: 'fan_in', status: 'running' }); // not a row
  expect(t.store.slots.batchInUse(b)).toBe(3);
  expect(t.store.slots.batchInUse('otherbatch')).toBe(0);
});

test('handBack returns a claimed, still-created job to the queue', () => {
  const j = insertJob(t.store);
  t.store.slots.claim('g', TOKEN, j.id);
  expect(t.store.slots.handBack(j.id)).toBe(true);
  expect(t.store.jobs.get(j.id)).toMatchObject({
    submit_group: null,
    submit_state: null,
    holds_slot: 0,
    status: 'created',
  });
  expect(t.store.slots.inUse().size).toBe(0);
  // Nothing open any more: a second hand-back changes nothing.
  expect(t.store.slots.handBack(j.id)).toBe(false);
});

test('handBack leaves a job that moved on, unless told any status; never a recorded submission', () => {
  const moved = insertJob(t.store);
  t.store.slots.claim('g', TOKEN, moved.id);
  t.store.jobs.update(moved.id, { status: 'terminated', ...SLOT_FREED });
  expect(t.store.slots.handBack(moved.id)).toBe(false);
  expect(t.store.jobs.get(moved.id)!.submit_state).toBe('intent');
  expect(t.store.slots.handBack(moved.id, { anyStatus: true })).toBe(true);
  expect(t.store.jobs.get(moved.id)).toMatchObject({ submit_state: null, submit_group: null });

  const done = insertJob(t.store);
  t.store.slots.claim('g', TOKEN, done.id);
  t.store.jobs.update(done.id, { submit_state: 'done', backend_job_id: '42' });
  expect(t.store.slots.handBack(done.id, { anyStatus: true })).toBe(false);
  expect(t.store.jobs.get(done.id)).toMatchObject({ submit_state: 'done', holds_slot: 1 });
});

test('openIntents and atScheduler: what a restart asks about, what a poll follows', () => {
  const intent = insertJob(t.store);
  t.store.slots.claim('g1', TOKEN, intent.id);
  const queued = insertJob(t.store, { status: 'queued' });
  t.store.jobs.update(queued.id, { submit_state: 'done', submit_group: 'g0', backend_job_id: '7' });
  const ended = insertJob(t.store, { status: 'completed' });
  t.store.jobs.update(ended.id, { submit_state: 'done' });
  const elsewhere = insertJob(t.store, { status: 'running', backend: 'slurm' });
  t.store.jobs.update(elsewhere.id, { submit_state: 'done' });
  expect(t.store.slots.openIntents().map(r => r.id)).toEqual([intent.id]);
  expect(t.store.slots.atScheduler('local')).toEqual([
    {
      id: queued.id,
      backend_job_id: '7',
      submit_group: 'g0',
      work_dir: queued.work_dir,
      status: 'queued',
    },
  ]);
  expect(t.store.slots.atScheduler('slurm').map(r => r.id)).toEqual([elsewhere.id]);
});
