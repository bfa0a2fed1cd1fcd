/**
 * Jobs report their own start and exit (wrapper.sh → POST /jobs/{id}/report, engine/reports.ts):
 * on a scheduler backend the end shows at once, not at the next poll. Run on the fake
 * HTCondor (it runs the real wrapper, which posts with real curl to the real server) with
 * a poll interval far longer than the tests, so only a report can explain a prompt update.
 */
import * as fs from 'fs';
import * as path from 'path';
import { useFakeCondor } from './fakes/condor';
import {
  sleep,
  startTestServer,
  tempDir,
  type TestServer,
  until,
  waitBatch,
  waitJob,
} from './helpers/server';

jest.setTimeout(60_000);

const fake = useFakeCondor();
afterAll(() => fake.restore());

const config = (htcondor: object = {}) => ({
  defaultBackend: 'htcondor',
  backends: { htcondor: { pollIntervalMs: 600_000, ...htcondor } },
});

const exitRecorded = (s: TestServer, id: string) =>
  until(
    async () => fs.existsSync(path.join(s.server.engine.store.jobs.get(id)!.work_dir, 'exit')),
    20_000,
    `the exit record of ${id}`
  );

describe('reports from jobs', () => {
  it('rows end, with their outputs, long before the next poll', async () => {
    const s = await startTestServer({ config: config() });
    try {
      const t0 = Date.now();
      const r = await s.req('POST', '/api/v1/batches', {
        app: 't-echo',
        params: [{ msg: 'a' }, { msg: 'b' }, { msg: 'c', code: 3 }],
      });
      const b = await waitBatch(s, r.body.batch.id, ['error', 'completed'], 20_000);
      expect(Date.now() - t0).toBeLessThan(20_000);
      expect(b.counts).toMatchObject({ completed: 2, error: 1 });
      const jobs = (await s.req('GET', `/api/v1/batches/${b.id}/jobs`)).body.jobs;
      expect(jobs.map((j: any) => j.output?.message ?? j.error?.message)).toEqual([
        'a',
        'b',
        'The job exited with code 3',
      ]);
      // Each row shows it ran: started before it finished.
      for (const j of jobs)
        expect(Date.parse(j.startedAt)).toBeLessThanOrEqual(Date.parse(j.finishedAt));
    } finally {
      await s.close();
    }
  });

  it('a running job shows running on its start report', async () => {
    const gates = tempDir();
    const s = await startTestServer({ config: config() });
    try {
      const j = (await s.req('POST', '/api/v1/jobs', { app: 't-gate', params: { dir: gates } }))
        .body.job;
      await waitJob(s, j.id, ['running'], 20_000);
      fs.writeFileSync(path.join(gates, j.id), '0');
      await waitJob(s, j.id, ['completed'], 20_000);
    } finally {
      await s.close();
    }
  });

  it('with jobReports: false the exit waits for the poll', async () => {
    const s = await startTestServer({ config: config({ jobReports: false }) });
    try {
      const j = (await s.req('POST', '/api/v1/jobs', { app: 't-echo', params: { msg: 'x' } })).body
        .job;
      await exitRecorded(s, j.id);
      await sleep(1500);
      expect((await s.req('GET', `/api/v1/jobs/${j.id}`)).body.status).not.toBe('completed');
    } finally {
      await s.close();
    }
  });

  it('an exit by a signal is left to the poll: the scheduler knows its cause', async () => {
    const s = await startTestServer({ config: config() });
    try {
      const j = (await s.req('POST', '/api/v1/jobs', { app: 't-oom', params: {} })).body.job;
      await exitRecorded(s, j.id);
      await sleep(1500);
      expect((await s.req('GET', `/api/v1/jobs/${j.id}`)).body.status).not.toMatch(
        /error|completed/
      );
    } finally {
      await s.close();
    }
  });

  it('the route: own job only, a clear 400, idempotent, no token after the end', async () => {
    const gates = tempDir();
    const s = await startTestServer({ config: config() });
    try {
      const post = (id: string, body: unknown, tok?: string) =>
        s.req('POST', `/api/v1/jobs/${id}/report`, body, tok);
      const a = (await s.req('POST', '/api/v1/jobs', { app: 't-gate', params: { dir: gates } }))
        .body.job;
      const b = (await s.req('POST', '/api/v1/jobs', { app: 't-gate', params: { dir: gates } }))
        .body.job;
      await waitJob(s, a.id, ['running'], 20_000);
      await waitJob(s, b.id, ['running'], 20_000);
      const tokA = `job.${s.server.engine.store.jobs.get(a.id)!.job_token}`;

      const bad = await post(a.id, { event: 'finished', extra: 1 }, tokA);
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('validation_failed');
      expect(bad.body.error.details[0].field).toBe('event');
      expect((await post(b.id, { event: 'exited' }, tokA)).status).toBe(403);
      expect((await post('j_nonexistent', { event: 'exited' })).status).toBe(404);
      expect((await post(a.id, { event: 'exited' }, 'test-token-bob')).status).toBe(404);
      // No exit record yet: nothing to apply, the job runs on.
      expect((await post(a.id, { event: 'exited' }, tokA)).body).toEqual({ applied: false });
      expect((await post(a.id, { event: 'started' }, tokA)).body).toEqual({ applied: false });

      fs.writeFileSync(path.join(gates, a.id), '0');
      await waitJob(s, a.id, ['completed'], 20_000);
      // Its token ends with the job; the owner's report of a finished job changes nothing.
      expect((await post(a.id, { event: 'exited' }, tokA)).status).toBe(401);
      expect((await post(a.id, { event: 'exited' })).body).toEqual({ applied: false });
      fs.writeFileSync(path.join(gates, b.id), '0');
      await waitJob(s, b.id, ['completed'], 20_000);
    } finally {
      await s.close();
    }
  });

  it('reports do not count against the owner’s rate limit', async () => {
    const s = await startTestServer({
      config: { ...config(), rateLimit: { max: 2, timeWindowMs: 60_000 } },
    });
    try {
      for (let i = 0; i < 5; i++)
        expect(
          (await s.req('POST', '/api/v1/jobs/j_none/report', { event: 'exited' })).status
        ).toBe(404);
      await s.req('GET', '/api/v1/batches');
      await s.req('GET', '/api/v1/batches');
      expect((await s.req('GET', '/api/v1/batches')).status).toBe(429);
    } finally {
      await s.close();
    }
  });

  it('health says so when no job reports (nodes that cannot reach the server), and not otherwise', async () => {
    const unreachable = await startTestServer({
      config: {
        ...config({ pollIntervalMs: 250 }),
        engine: { publicUrl: 'http://127.0.0.1:9' },
      },
    });
    const fine = await startTestServer({ config: config({ pollIntervalMs: 250 }) });
    try {
      for (const s of [unreachable, fine]) {
        const r = await s.req('POST', '/api/v1/batches', {
          app: 't-echo',
          params: Array.from({ length: 6 }, (_, i) => ({ msg: `m${i}` })),
        });
        await waitBatch(s, r.body.batch.id, ['completed'], 30_000);
      }
      const detail = async (s: TestServer) =>
        (await s.req('GET', '/api/v1/health')).body.backends.htcondor.detail;
      expect(await detail(unreachable)).toMatch(
        /no job has reported its exit to the server \(6 exits found by polling instead\): the nodes may not reach http:\/\/127\.0\.0\.1:9/
      );
      expect(await detail(fine)).not.toMatch(/reported/);
    } finally {
      await unreachable.close();
      await fine.close();
    }
  });
});
