/**
 * Batch management rules (docs/SEMANTICS.md) on the local backend:
 * retry messages and links, permissions per action, slots and priority, nested fan-out
 * under a slot limit, a retry lifecycle cut by a crash, the reaper.
 */
import { client, sleep, startTestServer, type TestServer, until, waitBatch, waitJob } from '../helpers/server';

/** The suite, run against one backend: `config` selects it (defaultBackend) and tunes it. */
export function defineSemanticsSuite(backend: string, config: Record<string, unknown> = {}, timeoutMs = 120000): void {
  jest.setTimeout(timeoutMs);
  let s: TestServer;
  const bob = () => client(s.url, 'test-token-bob');
  const admin = () => client(s.url, 'test-token-root');

  beforeAll(async () => {
    s = await startTestServer({ config: { ...config, engine: { retryLimit: 3 } } });
  });
  afterAll(async () => {
    await s?.close();
  });

  async function failedJob(msg = 'boom'): Promise<any> {
    const r = await s.req('POST', '/api/v1/jobs', { app: 't-echo', params: { msg, code: 2 } });
    return waitJob(s, r.body.job.id, ['error']);
  }

  describe('retry rules', () => {
    it('refuses batch parents with the seed message', async () => {
      const b = await s.req('POST', '/api/v1/batches', { app: 't-echo', params: [{ msg: 'p' }] });
      const r = await s.req('POST', `/api/v1/jobs/${b.body.batch.id}/retry`);
      expect(r.status).toBe(409);
      expect(r.body.error.message).toBe('Cannot retry batch job parents. Must retry individual jobs');
    });

    it('refuses jobs that are not error or terminated, naming id and status', async () => {
      const j = await s.req('POST', '/api/v1/jobs', { app: 't-echo', params: { msg: 'fine' } });
      const done = await waitJob(s, j.body.job.id, ['completed']);
      const r = await s.req('POST', `/api/v1/jobs/${done.id}/retry`);
      expect(r.status).toBe(409);
      expect(r.body.error.message).toBe(
        `Error retrying job ${done.id} with status completed: can only retry jobs with status 'error' or 'terminated'`
      );
    });

    it('validates retry_jobs input', async () => {
      const empty = await s.req('POST', '/api/v1/jobs/retry', { jobIds: [] });
      expect(empty.status).toBe(400);
      expect(empty.body.error.message).toBe('No job_ids provided to retry');
      const dup = await s.req('POST', '/api/v1/jobs/retry', { jobIds: ['aaaaaaaa', 'bbbbbbbb', 'aaaaaaaa'] });
      expect(dup.status).toBe(400);
      expect(dup.body.error.message).toBe(
        'Retry of the same id in the same request is not supported. Offending ids: ["aaaaaaaa"]'
      );
    });

    it('links retries to the root, retries the root for a retry, one in flight, up to the limit', async () => {
      const root = await failedJob();
      const r1 = await s.req('POST', `/api/v1/jobs/${root.id}/retry`);
      expect(r1.status).toBe(202);
      const first = r1.body.job;
      expect(first.retryParent).toBe(root.id);
      expect(first.app).toBe(root.app);
      expect(first.appVersion).toBe(root.appVersion);
      expect(first.params).toEqual(root.params);
      expect(first.resources).toEqual(root.resources);
      await waitJob(s, first.id, ['error']);
      // Retrying the retry retries the root.
      const r2 = await s.req('POST', `/api/v1/jobs/${first.id}/retry`);
      expect(r2.status).toBe(202);
      expect(r2.body.job.retryParent).toBe(root.id);
      expect(r2.body.job.attempt).toBe(3);
      await waitJob(s, r2.body.job.id, ['error']);
      const r3 = await s.req('POST', `/api/v1/jobs/${root.id}/retry`);
      await waitJob(s, r3.body.job.id, ['error']);
      const rootNow = (await s.req('GET', `/api/v1/jobs/${root.id}`)).body;
      expect(rootNow.retryIds).toEqual([first.id, r2.body.job.id, r3.body.job.id]);
      expect(rootNow.retryCount).toBe(3);
      // Limit 3 reached (configured): more retries are unlikely to help.
      const over = await s.req('POST', `/api/v1/jobs/${root.id}/retry`);
      expect(over.status).toBe(409);
      expect(over.body.error.message).toMatch(/unlikely to help/);
    });

    it('names the in-flight retry in a 409', async () => {
      const j = await s.req('POST', '/api/v1/jobs', { app: 't-sleep', params: { seconds: 30 } });
      await s.req('POST', `/api/v1/jobs/${j.body.job.id}/cancel`);
      const r1 = await s.req('POST', `/api/v1/jobs/${j.body.job.id}/retry`);
      expect(r1.status).toBe(202);
      const r2 = await s.req('POST', `/api/v1/jobs/${j.body.job.id}/retry`);
      expect(r2.status).toBe(409);
      expect(r2.body.error.message).toContain(r1.body.job.id);
      await s.req('POST', `/api/v1/jobs/${r1.body.job.id}/cancel`);
    });

    it('a retry of the fan-in of a cancelled batch reopens the batch and runs it', async () => {
      const b = await s.req('POST', '/api/v1/batches', {
        app: 't-echo',
        params: [{ msg: 'row' }],
        fanIn: { app: 't-sleep', params: { seconds: 30 }, when: 'all_finished' },
      });
      const id = b.body.batch.id;
      const running = await until(async () => {
        const rec = (await s.req('GET', `/api/v1/batches/${id}`)).body;
        if (!rec.fanInJobId) return undefined;
        const f = (await s.req('GET', `/api/v1/jobs/${rec.fanInJobId}`)).body;
        return f.status === 'running' ? f : undefined;
      }, 30000, 'the fan-in to run');
      await s.req('POST', `/api/v1/batches/${id}/cancel`);
      await waitJob(s, running.id, ['terminated']);
      const r = await s.req('POST', `/api/v1/jobs/${running.id}/retry`);
      expect(r.status).toBe(202);
      await waitJob(s, r.body.job.id, ['running']);
      expect((await s.req('GET', `/api/v1/batches/${id}`)).body.status).toBe('running');
      await s.req('POST', `/api/v1/batches/${id}/cancel`);
      await waitJob(s, r.body.job.id, ['terminated']);
    });

    it('retry_jobs answers per id, never all-or-nothing', async () => {
      const a = await failedJob('a');
      const ok = await s.req('POST', '/api/v1/jobs', { app: 't-echo', params: { msg: 'ok' } });
      await waitJob(s, ok.body.job.id, ['completed']);
      const r = await s.req('POST', '/api/v1/jobs/retry', { jobIds: [a.id, ok.body.job.id, 'zzzzzzzz'] });
      expect(r.status).toBe(200);
      expect(r.body.results[0]).toEqual({ jobId: a.id, retryId: expect.any(String) });
      expect(r.body.results[1].error).toMatch(/with status completed/);
      expect(r.body.results[2].error).toMatch(/not found/);
    });
  });

  describe('permissions per action', () => {
    it('owner acts; other users get 404; admin only with as_admin, recorded as admin', async () => {
      const j = await s.req('POST', '/api/v1/jobs', { app: 't-sleep', params: { seconds: 30 } });
      const id = j.body.job.id;
      for (const [m, p, body] of [
        ['GET', `/api/v1/jobs/${id}`],
        ['GET', `/api/v1/jobs/${id}/logs`],
        ['PATCH', `/api/v1/jobs/${id}`, { priority: 5 }],
        ['POST', `/api/v1/jobs/${id}/cancel`],
        ['POST', `/api/v1/jobs/${id}/retry`],
      ] as [string, string, unknown][]) {
        expect((await bob().req(m, p, body)).status).toBe(404);
        expect((await admin().req(m, p, body)).status).toBe(404);
      }
      expect((await admin().req('GET', `/api/v1/jobs/${id}/logs?as_admin=true`)).status).toBe(200);
      const pr = await admin().req('PATCH', `/api/v1/jobs/${id}?as_admin=true`, { priority: 7 });
      expect(pr.status).toBe(200);
      expect(pr.body.job.priority).toBe(7);
      const c = await admin().req('POST', `/api/v1/jobs/${id}/cancel?as_admin=true`);
      expect(c.body.job.terminatedCode).toBe('admin');
      const r = await admin().req('POST', `/api/v1/jobs/${id}/retry?as_admin=true`);
      expect(r.status).toBe(202);
      expect(r.body.job.owner).toBe('alice');
      await s.req('POST', `/api/v1/jobs/${r.body.job.id}/cancel`);
    });
  });

  describe('slots, priority and nested fan-out', () => {
    it('10 fan-out jobs × 10 tasks finish under a limit of 10 slots', async () => {
      const local = await startTestServer({ config: { ...config, slots: { [backend]: { '*': 10 } } } });
      try {
        const ids: string[] = [];
        for (let i = 0; i < 10; i++) {
          const r = await local.req('POST', '/api/v1/jobs', { app: 't-fanout', params: { n: 10 } });
          ids.push(r.body.job.id);
        }
        for (const id of ids) {
          const done = await waitJob(local, id, ['completed', 'error', 'terminated'], 120000);
          // On failure, the job's own output says why (e.g. the fan-out request's answer).
          const out =
            done.status === 'completed'
              ? ''
              : (await local.req('GET', `/api/v1/jobs/${id}/logs?stream=stdout`)).body.data;
          expect({ id, status: done.status, error: done.error, out }).toEqual({
            id,
            status: 'completed',
            error: null,
            out: '',
          });
          expect(done.counts.completed).toBe(10);
        }
        const maxHeld = local.server.engine.store.db
          .prepare('SELECT COUNT(*) FROM jobs WHERE holds_slot = 1')
          .pluck()
          .get();
        expect(maxHeld).toBe(0);
      } finally {
        await local.close();
      }
    }, 180000);

    it('releases single jobs before batch rows when a slot frees', async () => {
      const one = await startTestServer({ config: { ...config, slots: { [backend]: { '*': 1 } } } });
      try {
        // The first row runs long enough that the single job surely arrives while it runs
        // (a 0.4 s row can finish between two Slurm polls, freeing its slot for row 2).
        const b = await one.req('POST', '/api/v1/batches', {
          app: 't-sleep',
          params: [{ seconds: 3 }, { seconds: 0.4 }, { seconds: 0.4 }, { seconds: 0.4 }],
        });
        await until(async () => (await one.req('GET', `/api/v1/batches/${b.body.batch.id}`)).body.counts.running === 1, 10000, 'first row running');
        const single = await one.req('POST', '/api/v1/jobs', { app: 't-sleep', params: { seconds: 0.1 } });
        const done = await waitBatch(one, b.body.batch.id, ['completed'], 30000);
        const sj = await waitJob(one, single.body.job.id, ['completed']);
        const rows = (await one.req('GET', `/api/v1/batches/${done.id}/jobs`)).body.jobs;
        const started = rows.map((r: any) => Date.parse(r.startedAt)).sort();
        // The single job started right after the first row, before rows 2..4.
        expect(Date.parse(sj.startedAt)).toBeLessThan(started[1]);
      } finally {
        await one.close();
      }
    }, 60000);

    it('maxParallel caps a batch rows running at once', async () => {
      const b = await s.req('POST', '/api/v1/batches', {
        app: 't-sleep',
        params: Array.from({ length: 5 }, () => ({ seconds: 0.3 })),
        maxParallel: 1,
      });
      const id = b.body.batch.id;
      await waitBatch(s, id, ['completed'], 60000);
      // From the recorded running spans (sampling counts can miss 0.3 s rows between polls).
      const rows = (await s.req('GET', `/api/v1/batches/${id}/jobs`)).body.jobs;
      const spans = rows.map((j: any) => [Date.parse(j.startedAt), Date.parse(j.finishedAt)]);
      const peak = Math.max(
        ...spans.map(([t]: number[]) => spans.filter(([a, z]: number[]) => a <= t && t < z).length)
      );
      expect({ rows: rows.length, peak }).toEqual({ rows: 5, peak: 1 });
    });

    it('a retry of a row waits while the batch is at maxParallel', async () => {
      const b = await s.req('POST', '/api/v1/batches', {
        app: 't-sleep',
        params: [{ seconds: 30 }, { seconds: 30 }],
        maxParallel: 1,
      });
      const id = b.body.batch.id;
      const [row0, row1] = b.body.jobIds;
      await waitJob(s, row0, ['running'], 30000);
      await s.req('POST', `/api/v1/jobs/${row0}/cancel`);
      await waitJob(s, row1, ['running'], 30000);
      const retry = await s.req('POST', `/api/v1/jobs/${row0}/retry`);
      expect(retry.status).toBe(202);
      // Row 1 holds the batch's one place: the retry stays with the server.
      const deadline = Date.now() + 2500;
      while (Date.now() < deadline) {
        const r = (await s.req('GET', `/api/v1/jobs/${retry.body.job.id}`)).body;
        expect(r.status).toBe('created');
        await sleep(250);
      }
      await s.req('POST', `/api/v1/jobs/${row1}/cancel`);
      await waitJob(s, retry.body.job.id, ['running'], 30000);
      await s.req('POST', `/api/v1/batches/${id}/cancel`);
    });
  });

  describe('crash between retry steps', () => {
    it('a retry recorded but never submitted is submitted once after a restart', async () => {
      const a = await startTestServer({ config });
      const dataDir = a.dataDir;
      const j = await a.req('POST', '/api/v1/jobs', { app: 't-echo', params: { msg: 'x', code: 4 } });
      await waitJob(a, j.body.job.id, ['error']);
      a.server.engine.dispatcher.stop(); // the process "dies" right after the retry commit
      const r = await a.req('POST', `/api/v1/jobs/${j.body.job.id}/retry`);
      expect(r.status).toBe(202);
      expect((await a.req('GET', `/api/v1/jobs/${r.body.job.id}`)).body.status).toBe('created');
      await a.close();
      const b = await startTestServer({ config, dataDir });
      try {
        const done = await waitJob(b, r.body.job.id, ['error', 'completed']);
        expect(done.exitCode).toBe(4);
        expect(done.attempt).toBe(2);
        const root = (await b.req('GET', `/api/v1/jobs/${j.body.job.id}`)).body;
        expect(root.retryIds).toEqual([r.body.job.id]);
      } finally {
        await b.close();
      }
    });
  });

  describe('reaper', () => {
    it('terminates created jobs stuck before submission and says why', async () => {
      const t = await startTestServer({ config: { ...config, engine: { reaper: { intervalMs: 3600000, createdMaxAgeMs: 0, queuedMaxAgeMs: 1e12 } } } });
      try {
        t.server.engine.dispatcher.stop();
        const j = await t.req('POST', '/api/v1/jobs', { app: 't-echo', params: { msg: 'stuck' } });
        // Simulate a submission whose outcome never came back.
        t.server.engine.store.db.prepare("UPDATE jobs SET submit_state = 'intent', created_at = 0 WHERE id = ?").run(j.body.job.id);
        const { Reaper } = await import('../../src/engine/reaper');
        const res = new Reaper(t.server.engine).runOnce();
        expect(res.created).toBe(1);
        const after = (await t.req('GET', `/api/v1/jobs/${j.body.job.id}`)).body;
        expect(after.status).toBe('terminated');
        expect(after.terminatedCode).toBe('automation');
      } finally {
        await t.close();
      }
    });
  });
}
