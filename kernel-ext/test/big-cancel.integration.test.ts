/**
 * Big batches do not hold the server up (engine/cancel.ts, engine/retry.ts,
 * engine/dispatcher.ts): a batch cancel and a batch retry go a chunk at a time, with
 * requests answered between chunks; a batch
 * held at its maxParallel costs a dispatch pass nothing per waiting row; a cancel a stop
 * left part done is finished at the next start, and none of its rows starts meanwhile.
 */
import * as path from 'path';
import { Store } from '../src/store';
import { startTestServer, tempDir, until, type TestServer } from './helpers/server';

const ROWS = 20000;

async function heldBatch(s: TestServer, rows: number): Promise<{ id: string; jobIds: string[] }> {
  const made = await s.req('POST', '/api/v1/batches', {
    app: 't-sleep',
    params: Array.from({ length: rows }, () => ({ seconds: 60 })),
    maxParallel: 1,
  });
  expect(made.status).toBe(202);
  const id = made.body.batch.id;
  await until(
    async () => {
      const c = (await s.req('GET', `/api/v1/batches/${id}`)).body.counts;
      return c.created + c.queued + c.running === rows && c.running === 1;
    },
    30000,
    'rows recorded, one running'
  );
  return { id, jobIds: made.body.jobIds };
}

/** fn's answer, and how many health requests the server answered while fn's was pending. */
async function healthAnswersDuring<T>(s: TestServer, fn: () => Promise<T>): Promise<[T, number]> {
  let pending = true;
  let answered = 0;
  const poll = (async () => {
    while (pending) {
      const h = await s.req('GET', '/api/v1/health');
      if (pending && h.status === 200) answered++;
    }
  })();
  const out = await fn();
  pending = false;
  await poll;
  return [out, answered];
}

describe('a 20,000-row batch at maxParallel 1', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(() => s.close());

  test('waits without stalling the server, and its cancel answers requests between chunks', async () => {
    const { id, jobIds } = await heldBatch(s, ROWS);
    // Held rows are not read on every pass: requests answer at once while they wait.
    for (let i = 0; i < 5; i++) {
      const t = Date.now();
      expect((await s.req('GET', '/api/v1/health')).status).toBe(200);
      expect(Date.now() - t).toBeLessThan(1000);
    }

    const [c, answeredMeanwhile] = await healthAnswersDuring(s, () =>
      s.req('POST', `/api/v1/batches/${id}/cancel`)
    );
    expect(c.status).toBe(200);
    // The answer comes once every row has ended.
    expect(c.body.batch.status).toBe('terminated');
    expect(c.body.batch.counts).toMatchObject({
      created: 0,
      queued: 0,
      running: 0,
      terminated: ROWS,
    });
    // One transaction of 20,000 rows would have held every request until its end.
    expect(answeredMeanwhile).toBeGreaterThanOrEqual(3);

    // Its retry, likewise in chunks: every row gets its next attempt, requests go between.
    const [r, answeredDuringRetry] = await healthAnswersDuring(s, () =>
      s.req('POST', `/api/v1/batches/${id}/retry`, {})
    );
    expect(r.status).toBe(200);
    expect(r.body.results).toHaveLength(ROWS);
    expect(r.body.results.every((x: any) => x.retryId)).toBe(true);
    expect(answeredDuringRetry).toBeGreaterThanOrEqual(3);
    const again = await s.req('POST', `/api/v1/batches/${id}/cancel`);
    expect(again.body.batch.status).toBe('terminated');
    // Its 40,000 childJobIds, read in parts (engine/records.ts recordInParts): every
    // attempt of every row, in row order, as GET /batches/{id} has them.
    const retryOf = new Map<string, string>(r.body.results.map((x: any) => [x.jobId, x.retryId]));
    const all = jobIds.flatMap(j => [j, retryOf.get(j)]);
    expect(again.body.batch.childJobIds).toEqual(all);
    expect((await s.req('GET', `/api/v1/batches/${id}`)).body.childJobIds).toEqual(all);
  }, 120000);
});

test('a cancel left part done by a stop is finished at the next start; none of its rows starts', async () => {
  const dataDir = tempDir();
  let s = await startTestServer({ dataDir });
  const { id, jobIds } = await heldBatch(s, 1200);
  await s.close();
  // What a kill -9 between two chunks leaves: the batch cancelled, its rows still open.
  const store = Store.open(path.join(dataDir, 'bulkrun.db'));
  store.batches.update(id, { cancelled: 'user' });
  expect(store.jobs.interruptedCancels()).toEqual([id]);
  store.close();

  s = await startTestServer({ dataDir });
  try {
    const b = await until(
      async () => {
        const r = (await s.req('GET', `/api/v1/batches/${id}`)).body;
        return r.status === 'terminated' ? r : undefined;
      },
      30000,
      'the cancel finished'
    );
    expect(b.counts.terminated).toBe(1200);
    // Only the row that ran before the stop ever started.
    const started = [];
    for (const j of jobIds.slice(0, 20)) {
      const r = (await s.req('GET', `/api/v1/jobs/${j}`)).body;
      if (r.startedAt) started.push(j);
    }
    expect(started.length).toBeLessThanOrEqual(1);
  } finally {
    await s.close();
  }
}, 120000);
