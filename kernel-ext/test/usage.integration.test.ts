/**
 * Usage on the local backend, end to end: each finished row carries what it used, the
 * app's history answers GET /apps/{id}/usage with a suggestion, and an automatic `oom`
 * retry asks for the size the history supports (docs/SEMANTICS.md "Usage and suggestions").
 */
import { usageReport } from '../src/cli/commands/usage';
import { startTestServer, type TestServer, waitBatch, until } from './helpers/server';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s?.close();
});

const MIB = 2 ** 20;
const SIZES = [20, 40, 60, 80, 100, 120, 140, 160];

it('measures each row within 10% of what it touched, and learns the app from them', async () => {
  const empty = await s.req('GET', '/api/v1/apps/t-mem/usage');
  expect(empty.status).toBe(200);
  expect(empty.body).toMatchObject({ runs: 0, suggestion: null, memory: null });

  const post = await s.req('POST', '/api/v1/batches', {
    app: 't-mem',
    params: SIZES.map(mb => ({ mb })),
  });
  const done = await waitBatch(s, post.body.batch.id, ['completed', 'error']);
  expect(done.status).toBe('completed');
  const jobs = (await s.req('GET', `/api/v1/batches/${done.id}/jobs`)).body.jobs;
  for (const j of jobs) {
    const mib = j.usage.maxRssBytes / MIB;
    expect(mib).toBeGreaterThanOrEqual(j.params.mb);
    expect(mib).toBeLessThan(j.params.mb * 1.1 + 8); // perl and the wrapper: a few MiB
    expect(j.usage.wallSeconds).toBeGreaterThanOrEqual(0.2);
    expect(j.usage.cpuSeconds).toBeGreaterThanOrEqual(0);
  }

  const u = (await s.req('GET', '/api/v1/apps/t-mem/usage')).body;
  expect(u).toMatchObject({
    app: 't-mem',
    version: '1.0.0',
    runs: SIZES.length,
    inheritedFrom: null,
  });
  expect(u.requested.memoryBytes).toBe(100 * MIB);
  const top = Math.max(...jobs.map((j: any) => j.usage.maxRssBytes));
  expect(u.memory.max).toBe(top);
  // Peak memory follows `mb`: a model the cell applies to its own rows.
  const model = u.models.find((m: any) => m.measure === 'maxRssBytes');
  expect(model).toMatchObject({ param: 'mb', of: 'value' });
  expect(model.r2).toBeGreaterThan(0.95);
  expect(model.slope / MIB).toBeGreaterThan(0.9);
  expect(model.slope / MIB).toBeLessThan(1.1);
  // Retried automatically after oom: at most 5% of the history may be above the suggestion.
  const mb = Number(u.suggestion.memory.replace(/M$/, ''));
  expect(mb * MIB).toBeGreaterThanOrEqual(u.memory.p95);
  expect(u.suggestion.walltime).toBe('00:01:00');
  expect(u.failureBound).toBe(0.05);
  // `bulkrun usage t-mem` prints the same answer for people.
  const text = usageReport(u);
  expect(text).toMatch(/^t-mem 1\.0\.0: 8 measured runs in the last 90 days/);
  expect(text).toMatch(/peak memory +\d+ MB +\d+ MB +\d+ MB/);
  expect(text).toContain(`suggested: memory ${u.suggestion.memory}, walltime 00:01:00`);
  expect(text).toMatch(/peak memory follows mb: about (10\d\d KB|1(\.\d)? MB) per unit/);
});

it('an oom retry asks for the size the history supports, not just twice the request', async () => {
  const post = await s.req('POST', '/api/v1/batches', {
    app: 't-mem',
    params: [{ mb: 150, die: true }],
    maxRetries: 1,
  });
  const done = await waitBatch(s, post.body.batch.id, ['completed', 'error']);
  expect(done.status).toBe('completed');
  const all = (await s.req('GET', `/api/v1/batches/${done.id}/jobs?attempts=all`)).body.jobs;
  expect(all[0]).toMatchObject({
    status: 'error',
    error: { code: 'oom' },
    resources: { memory: '100M' },
  });
  // The largest successful peak (160 MiB + perl) plus 10%: about 180M; doubling gave 200M.
  const asked = Number(String(all[1].resources.memory).replace(/M$/, ''));
  expect(asked).toBeGreaterThan(176);
  expect(asked).toBeLessThan(190);
  // The failed run counts in the history: the next suggestion is above its request.
  const u = (await s.req('GET', '/api/v1/apps/t-mem/usage')).body;
  expect(u.failures.oom).toBe(1);
});

it('a timeout retry asks for the walltime the history supports, when the app allows it', async () => {
  // History: five runs whose wall times are known exactly.
  const warm = await s.req('POST', '/api/v1/batches', {
    app: 't-slow',
    params: [0.1, 0.1, 0.1, 0.1, 0.1].map(x => ({ s: x })),
  });
  await waitBatch(s, warm.body.batch.id, ['completed']);
  const engine = s.server.engine;
  const jobs = engine.store.jobs.byBatch(warm.body.batch.id).filter(j => !j.is_batch);
  engine.store.tx(() => {
    jobs.forEach((j, i) =>
      engine.store.jobs.update(j.id, {
        usage: JSON.stringify({
          wallSeconds: 100 + 20 * i,
          cpuSeconds: 1,
          maxRssBytes: MIB,
          source: 'slurm',
        }),
      })
    );
  });
  // A row that the scheduler ends for its time limit (local processes have none: the
  // backend's report is applied as a Slurm poll's would be).
  const post = await s.req('POST', '/api/v1/batches', {
    app: 't-slow',
    params: [{ s: 30 }],
    maxRetries: 1,
  });
  const id = post.body.batch.id;
  const row = await until(async () => {
    const j = (await s.req('GET', `/api/v1/batches/${id}/jobs`)).body.jobs[0];
    return j.status === 'running' ? j : null;
  });
  engine.tracker.apply([
    { jobId: row.id, status: 'error', error: { code: 'timeout', message: 'time limit' } },
  ]);
  const all = (await s.req('GET', `/api/v1/batches/${id}/jobs?attempts=all`)).body.jobs;
  expect(all[0]).toMatchObject({
    status: 'error',
    error: { code: 'timeout' },
    resources: { walltime: '00:01:00' },
  });
  // The longest run (180 s) plus 25%, rounded up to the minute: 4 minutes.
  expect(all[1].resources.walltime).toBe('00:04:00');
  await s.req('POST', `/api/v1/batches/${id}/cancel`);
});

it('an unknown app is 404', async () => {
  const r = await s.req('GET', '/api/v1/apps/nope/usage');
  expect(r.status).toBe(404);
  expect(r.body.error.code).toBe('not_found');
});
