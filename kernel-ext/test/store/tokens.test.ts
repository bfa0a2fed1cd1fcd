/** src/store/tokens.ts: job-scoped tokens, on a real SQLite file. */
import { SLOT_FREED } from '../../src/store/slots';
import { insertJob, openTempStore, type TempStore } from './helpers';

let t: TempStore;
beforeEach(() => (t = openTempStore()));
afterEach(() => t.close());

const TOKEN = 'job-token-0123456789';

test('a token answers its job while the job is not terminal', () => {
  const j = insertJob(t.store, { owner: 'bob' });
  expect(t.store.tokens.liveJob(TOKEN)).toBeUndefined();
  t.store.slots.claim('g', TOKEN, j.id);
  // `created` too: the job may start before its submission's outcome is recorded.
  expect(t.store.tokens.liveJob(TOKEN)).toEqual({ id: j.id, owner: 'bob' });
  for (const status of ['queued', 'running'] as const) {
    t.store.jobs.update(j.id, { status });
    expect(t.store.tokens.liveJob(TOKEN)?.id).toBe(j.id);
  }
  t.store.jobs.update(j.id, { status: 'completed' });
  expect(t.store.tokens.liveJob(TOKEN)).toBeUndefined();
});

test('an ended job (token cleared, as the lifecycle does) and unknown tokens answer nothing', () => {
  const j = insertJob(t.store);
  t.store.slots.claim('g', TOKEN, j.id);
  t.store.jobs.update(j.id, { status: 'running' });
  t.store.jobs.update(j.id, { status: 'error', job_token: null, ...SLOT_FREED });
  expect(t.store.tokens.liveJob(TOKEN)).toBeUndefined();
  expect(t.store.tokens.liveJob('something-else-0123')).toBeUndefined();
});
