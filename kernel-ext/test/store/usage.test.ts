/** src/store/usage.ts: the per-app usage history, on a real SQLite file. */
import { insertJob, openTempStore, type TempStore } from './helpers';

let t: TempStore;
beforeEach(() => (t = openTempStore()));
afterEach(() => t.close());

const USAGE = JSON.stringify({
  wallSeconds: 2,
  cpuSeconds: 1,
  maxRssBytes: 1e6,
  source: 'wrapper',
});

function finished(p: {
  owner?: string;
  app?: string;
  at: number;
  usage?: string | null;
  error?: string;
}) {
  const j = insertJob(t.store, { owner: p.owner ?? 'alice', app: p.app ?? 'align' });
  t.store.jobs.update(j.id, {
    status: p.error ? 'error' : 'completed',
    finished_at: p.at,
    usage: p.usage === undefined ? USAGE : p.usage,
    error_code: p.error ?? null,
  });
  return j.id;
}

test("answers one owner's measured and failed runs of one app, newest first, within the window", () => {
  const old = finished({ at: 1_000 });
  const a = finished({ at: 5_000 });
  const oom = finished({ at: 6_000, usage: null, error: 'oom' });
  finished({ at: 7_000, app: 'other' });
  finished({ at: 8_000, owner: 'bob' });
  finished({ at: 9_000, usage: null }); // completed but never measured: nothing to learn
  const rows = t.store.usage.history('alice', 'align', 2_000, 100);
  expect(rows.map(r => [r.finished_at, r.error_code])).toEqual([
    [6_000, 'oom'],
    [5_000, null],
  ]);
  expect(JSON.parse(rows[1].usage!)).toMatchObject({ maxRssBytes: 1e6 });
  expect([old, a, oom]).toHaveLength(3);
});

test('the limit keeps the newest runs', () => {
  for (let i = 0; i < 10; i++) finished({ at: 1_000 + i });
  expect(t.store.usage.history('alice', 'align', 0, 3).map(r => r.finished_at)).toEqual([
    1_009, 1_008, 1_007,
  ]);
});

test('the query is served by the partial index, and a new row is not in it', () => {
  const plan = t.store.db
    .prepare(
      `EXPLAIN QUERY PLAN SELECT finished_at FROM jobs INDEXED BY jobs_usage_history
        WHERE owner = 'a' AND app = 'b' AND finished_at >= 0
          AND (usage IS NOT NULL OR error_code IS NOT NULL) AND is_batch = 0`
    )
    .all() as { detail: string }[];
  expect(plan.map(p => p.detail).join(' ')).toMatch(/USING INDEX jobs_usage_history/);
  insertJob(t.store);
  const n = t.store.db
    .prepare(
      'SELECT count(*) AS n FROM jobs INDEXED BY jobs_usage_history WHERE usage IS NOT NULL OR error_code IS NOT NULL'
    )
    .get() as { n: number };
  expect(n.n).toBe(0);
});
