/**
 * The reaper's retry repair (engine/reaper.ts) on the local backend: retries that wait
 * past the grace period are relinked once, not on every pass, and an attempt that ends
 * before the scheduler had it closes its own lifecycle (engine/lifecycle.ts).
 */
import { Reaper } from '../src/engine/reaper';
import { startTestServer, waitBatch, type TestServer } from './helpers/server';

jest.setTimeout(60000);

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({
    config: {
      engine: { reaper: { intervalMs: 3600000, createdMaxAgeMs: 1e12, queuedMaxAgeMs: 1e12 } },
    },
  });
});
afterAll(() => s.close());

const open = () =>
  s.server.engine.store.db
    .prepare('SELECT id FROM jobs WHERE retry_complete = 0 ORDER BY id')
    .pluck()
    .all() as string[];

test('waiting retries are repaired once; a cancelled one needs no repair', async () => {
  const b = await s.req('POST', '/api/v1/batches', {
    app: 't-echo',
    params: [0, 1, 2].map(i => ({ msg: `m${i}`, code: 2 })),
  });
  const id = b.body.batch.id;
  await waitBatch(s, id, ['error']);
  // The retries wait: nothing submits them (as under a slot limit for hours).
  s.server.engine.dispatcher.stop();
  const r = await s.req('POST', `/api/v1/batches/${id}/retry`, {});
  const retries: string[] = r.body.results.map((x: any) => x.retryId);
  expect(retries).toHaveLength(3);
  expect(open().sort()).toEqual([...retries].sort());

  await s.req('POST', `/api/v1/jobs/${retries[0]}/cancel`);
  expect(open().sort()).toEqual(retries.slice(1).sort());

  // Past the reaper's grace period.
  s.server.engine.store.db.prepare('UPDATE jobs SET created_at = 0 WHERE retry_complete = 0').run();
  const reaper = new Reaper(s.server.engine);
  expect(reaper.runOnce()).toMatchObject({ repaired: 2 });
  expect(open()).toEqual([]);
  // The next pass has nothing to read again; the retries still wait, newest of their rows.
  expect(reaper.runOnce()).toMatchObject({ repaired: 0 });
  const batch = (await s.req('GET', `/api/v1/batches/${id}`)).body;
  expect(batch.counts).toMatchObject({ created: 2, terminated: 1, error: 0 });
  await s.req('POST', `/api/v1/batches/${id}/cancel`);
});
