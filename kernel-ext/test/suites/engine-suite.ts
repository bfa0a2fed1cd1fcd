/**
 * The engine end to end on the local backend: a real server on a temp data dir, real
 * processes, a real SQLite file, driven through REST and the WebSocket.
 */
import { startTestServer, type TestServer, waitBatch, waitJob, WsClient, client, until } from '../helpers/server';

/** The suite, run against one backend: `config` selects it (defaultBackend) and tunes it. */
export function defineEngineSuite(backend: string, config: Record<string, unknown> = {}, timeoutMs = 120000): void {
  jest.setTimeout(timeoutMs);
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ config });
  });
  afterAll(async () => {
    await s?.close();
  });

  describe('batches: fan-out → tasks → fan-in', () => {
    it('runs rows, fails one, retries it, then runs the fan-in over row-ordered outputs', async () => {
      const post = await s.req('POST', '/api/v1/batches', {
        app: 't-echo',
        params: [{ msg: 'a' }, { msg: 'b', code: 3 }, { msg: 'c' }],
        fanIn: { app: 't-merge' },
        label: 'three rows',
        maxRetries: 0,
      });
      expect(post.status).toBe(202);
      expect(post.body.jobIds).toHaveLength(3);
      const id = post.body.batch.id;
      expect(post.body.batch.batchJob).toBe(true);

      const failed = await waitBatch(s, id, ['error']);
      expect(failed.counts).toEqual({ created: 0, queued: 0, running: 0, completed: 2, error: 1, terminated: 0 });
      expect(failed.fanInJobId).toBeNull();

      const rows = (await s.req('GET', `/api/v1/batches/${id}/jobs`)).body.jobs;
      const bad = rows.find((j: any) => j.index === 1);
      expect(bad.status).toBe('error');
      expect(bad.exitCode).toBe(3);
      expect(bad.error.code).toBe('job_crashed');
      expect(rows.find((j: any) => j.index === 0).output).toEqual({ message: 'a' });

      // Retrying a row whose params make it fail again fails again: retry the batch's failures.
      const retried = await s.req('POST', `/api/v1/batches/${id}/retry`, {});
      expect(retried.status).toBe(200);
      expect(retried.body.results).toHaveLength(1);
      const retryId = retried.body.results[0].retryId;
      const again = await waitJob(s, retryId, ['error']);
      expect(again.retryParent).toBe(bad.id);
      expect(again.attempt).toBe(2);
      const root = (await s.req('GET', `/api/v1/jobs/${bad.id}`)).body;
      expect(root.retryIds).toEqual([retryId]);
      expect(root.retryCount).toBe(1);
      const all = (await s.req('GET', `/api/v1/batches/${id}/jobs?attempts=all`)).body.jobs;
      expect(all).toHaveLength(4);
    });

    it('completes a batch and hands the fan-in the outputs in row order', async () => {
      const post = await s.req('POST', '/api/v1/batches', {
        app: 't-echo',
        params: [{ msg: 'r0' }, { msg: 'r1' }, { msg: 'r2' }, { msg: 'r3' }],
        fanIn: { app: 't-merge' },
      });
      const done = await waitBatch(s, post.body.batch.id, ['completed', 'error']);
      expect(done.status).toBe('completed');
      const fanIn = (await s.req('GET', `/api/v1/jobs/${done.fanInJobId}`)).body;
      expect(fanIn.role).toBe('fan_in');
      expect(fanIn.output).toEqual({
        count: 4,
        inputs: [{ message: 'r0' }, { message: 'r1' }, { message: 'r2' }, { message: 'r3' }],
      });
      expect(done.childJobIds).toContain(done.fanInJobId);
    });

    it('starts the fan-in under all_finished even when a row failed, with null for it', async () => {
      const post = await s.req('POST', '/api/v1/batches', {
        app: 't-echo',
        params: [{ msg: 'x' }, { msg: 'y', code: 1 }],
        fanIn: { app: 't-merge', when: 'all_finished' },
        maxRetries: 0,
      });
      const done = await waitBatch(s, post.body.batch.id, ['completed', 'error']);
      expect(done.status).toBe('error');
      const fanIn = (await s.req('GET', `/api/v1/jobs/${done.fanInJobId}`)).body;
      expect(fanIn.status).toBe('completed');
      expect(fanIn.output).toEqual({ count: 2, inputs: [{ message: 'x' }, null] });
    });

    it('runs the fan-in again when a row is retried after it ran (all_finished)', async () => {
      const post = await s.req('POST', '/api/v1/batches', {
        app: 't-flaky',
        params: [{ msg: 'steady' }, { msg: 'flaky row' }],
        fanIn: { app: 't-merge', when: 'all_finished' },
        maxRetries: 0,
      });
      const id = post.body.batch.id;
      const first = await waitBatch(s, id, ['completed', 'error']);
      expect(first.status).toBe('error');
      const fanInId = first.fanInJobId;
      expect((await s.req('GET', `/api/v1/jobs/${fanInId}`)).body.output.inputs).toEqual([
        { message: 'steady', attempt: 1 },
        null,
      ]);

      const retried = await s.req('POST', `/api/v1/batches/${id}/retry`, {});
      expect(retried.body.results).toHaveLength(1);
      const done = await waitBatch(s, id, ['completed', 'error']);
      expect(done.status).toBe('completed');
      // The fan-in ran again as its second attempt, over the rows' newest outputs.
      expect(done.fanInJobId).toBe(fanInId);
      const root = (await s.req('GET', `/api/v1/jobs/${fanInId}`)).body;
      expect(root.retryIds).toHaveLength(1);
      const rerun = await waitJob(s, root.retryIds[0], ['completed']);
      expect(rerun.attempt).toBe(2);
      expect(rerun.output.inputs).toEqual([
        { message: 'steady', attempt: 1 },
        { message: 'flaky row', attempt: 2 },
      ]);
      const latest = (await s.req('GET', `/api/v1/batches/${id}/jobs`)).body.jobs;
      expect(latest.find((j: any) => j.role === 'fan_in').id).toBe(rerun.id);
    });

    it('holds a fan-in retried together with rows until the rows have ended', async () => {
      const post = await s.req('POST', '/api/v1/batches', {
        app: 't-flaky',
        params: [{ msg: 'steady' }, { msg: 'flaky row' }],
        // The fan-in fails on its first attempt too.
        fanIn: { app: 't-flaky', params: { msg: 'flaky fan-in' }, when: 'all_finished' },
        maxRetries: 0,
      });
      const id = post.body.batch.id;
      const first = await waitBatch(s, id, ['completed', 'error']);
      expect(first.status).toBe('error');
      // Retry everything that failed at once: the row and the fan-in.
      const retried = (await s.req('POST', `/api/v1/batches/${id}/retry`, {})).body.results;
      expect(retried).toHaveLength(2);
      const done = await waitBatch(s, id, ['completed', 'error']);
      expect(done.status).toBe('completed');
      const all = (await s.req('GET', `/api/v1/batches/${id}/jobs?attempts=all`)).body.jobs;
      const fanIns = all.filter((j: any) => j.role === 'fan_in');
      // Two fan-in attempts, not three: the retried one already saw the newest rows.
      expect(fanIns.map((j: any) => j.attempt).sort()).toEqual([1, 2]);
      const row = all.find((j: any) => j.index === 1 && j.attempt === 2);
      const fanIn = fanIns.find((j: any) => j.attempt === 2);
      expect(Date.parse(fanIn.startedAt)).toBeGreaterThanOrEqual(Date.parse(row.finishedAt));
    });
  });

  describe('parameters reach the program literally', () => {
    it('passes quotes, newlines, ; and $(…) byte for byte', async () => {
      const nasty = `a'b"c; rm -rf / $(echo pwned) \`id\` \n line2 \\ {x} ünï`;
      const post = await s.req('POST', '/api/v1/jobs', { app: 't-args', params: { value: nasty } });
      expect(post.status).toBe(202);
      const job = await waitJob(s, post.body.job.id, ['completed', 'error']);
      expect(job.status).toBe('completed');
      expect(job.output.argv).toEqual([nasty, `prefix-${nasty}`]);
    });
  });

  describe('preflight', () => {
    it('reports every row error at once and creates nothing', async () => {
      const before = (await s.req('GET', '/api/v1/batches?limit=1000')).body.batches.length;
      const r = await s.req('POST', '/api/v1/batches', {
        app: 't-echo',
        params: [{ msg: 'ok' }, { msg: 5 }, {}, { msg: 'x', extra: 1 }],
      });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('validation_failed');
      const details = r.body.error.details;
      expect(details).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ row: 1, field: 'msg' }),
          expect.objectContaining({ row: 2, field: 'msg' }),
          expect.objectContaining({ row: 3, field: 'extra' }),
        ])
      );
      const after = (await s.req('GET', '/api/v1/batches?limit=1000')).body.batches.length;
      expect(after).toBe(before);
    });

    it('rejects unknown apps, unknown fields, malformed JSON and oversized row counts', async () => {
      expect((await s.req('POST', '/api/v1/batches', { app: 'nope', params: [{}] })).body.error.details).toEqual(
        expect.arrayContaining([expect.objectContaining({ field: 'app' })])
      );
      const unknown = await s.req('POST', '/api/v1/batches', { app: 't-echo', params: [{ msg: 'a' }], bogus: 1 });
      expect(unknown.status).toBe(400);
      expect(unknown.body.error.details[0].field).toBe('bogus');
      const bad = await s.req('POST', '/api/v1/batches', '{"app": ');
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('invalid_request');
      const wrong = await s.req('POST', '/api/v1/batches', { app: 't-echo', params: 'x' });
      expect(wrong.status).toBe(400);
      const badId = await s.req('GET', '/api/v1/jobs/..%2F..%2Fetc');
      expect(badId.status).toBe(404);
    });

    it('returns the same batch for the same idempotency key', async () => {
      const body = { app: 't-echo', params: [{ msg: 'once' }], idempotencyKey: 'k-123' };
      const a = await s.req('POST', '/api/v1/batches', body);
      const b = await s.req('POST', '/api/v1/batches', body);
      expect(a.status).toBe(202);
      expect(b.body.batch.id).toBe(a.body.batch.id);
      expect(b.body.jobIds).toEqual(a.body.jobIds);
    });
  });

  describe('cancel', () => {
    it('cancels a running batch: rows get batch_abort, the batch is terminated', async () => {
      const post = await s.req('POST', '/api/v1/batches', {
        app: 't-sleep',
        params: Array.from({ length: 6 }, () => ({ seconds: 30 })),
      });
      const id = post.body.batch.id;
      await until(async () => (await s.req('GET', `/api/v1/batches/${id}`)).body.counts.running > 0, 10000, 'a running row');
      const c = await s.req('POST', `/api/v1/batches/${id}/cancel`);
      expect(c.status).toBe(200);
      const b = await waitBatch(s, id, ['terminated']);
      expect(b.counts.terminated).toBe(6);
      expect(b.terminatedCode).toBe('user');
      const rows = (await s.req('GET', `/api/v1/batches/${id}/jobs`)).body.jobs;
      expect(rows.every((j: any) => j.terminatedCode === 'batch_abort')).toBe(true);
      // Already terminal: a no-op 200.
      const again = await s.req('POST', `/api/v1/jobs/${rows[0].id}/cancel`);
      expect(again.status).toBe(200);
      expect(again.body.job.status).toBe('terminated');
    });
  });

  describe('dynamic fan-out', () => {
    it('a running job fans out tasks + fan-in to itself and exits; the server finishes them', async () => {
      const post = await s.req('POST', '/api/v1/jobs', { app: 't-fanout', params: { n: 3 } });
      expect(post.status).toBe(202);
      const id = post.body.job.id;
      const done = await waitJob(s, id, ['completed', 'error', 'terminated'], 30000);
      expect(done.status).toBe('completed');
      expect(done.batchJob).toBe(true);
      expect(done.counts.completed).toBe(3);
      const fanIn = (await s.req('GET', `/api/v1/jobs/${done.fanInJobId}`)).body;
      expect(fanIn.output.count).toBe(3);
    });

    it('a job that starts before its submission is recorded may fan out with its own token', async () => {
      // Slots 0: the job stays `created`. Give it a token as dispatch does, as if the
      // scheduler had started it while the submission's outcome was still being recorded.
      const held = await startTestServer({ config: { ...config, slots: { [backend]: { '*': 0 } } } });
      try {
        const post = await held.req('POST', '/api/v1/jobs', { app: 't-echo', params: { msg: 'x' } });
        const id = post.body.job.id;
        held.server.engine.store.db
          .prepare("UPDATE jobs SET job_token = 'early-token-0123456789' WHERE id = ?")
          .run(id);
        const body = { app: 't-echo', params: [{ msg: 'a' }] };
        // The owner's own token cannot fan out a job that has not started...
        const byUser = await held.req('POST', `/api/v1/jobs/${id}/fanout`, body);
        expect(byUser.status).toBe(409);
        expect(byUser.body.error.message).toBe(`Job ${id} is created; only a running job can fan out`);
        // ...the job itself can.
        const byJob = await held.req('POST', `/api/v1/jobs/${id}/fanout`, body, 'job.early-token-0123456789');
        expect(byJob.status).toBe(202);
        expect(byJob.body.jobIds).toHaveLength(1);
      } finally {
        await held.close();
      }
    });
  });

  describe('auth and visibility', () => {
    it('refuses requests without a token and hides other users records', async () => {
      const anon = await fetch(s.url + '/api/v1/health');
      expect(anon.status).toBe(401);
      const post = await s.req('POST', '/api/v1/jobs', { app: 't-echo', params: { msg: 'mine' } });
      const id = post.body.job.id;
      const bob = client(s.url, 'test-token-bob');
      expect((await bob.req('GET', `/api/v1/jobs/${id}`)).status).toBe(404);
      expect((await bob.req('POST', `/api/v1/jobs/${id}/cancel`)).status).toBe(404);
      const admin = client(s.url, 'test-token-root');
      expect((await admin.req('GET', `/api/v1/jobs/${id}`)).status).toBe(404);
      expect((await admin.req('GET', `/api/v1/jobs/${id}?as_admin=true`)).status).toBe(200);
    });
  });

  describe('websocket', () => {
    it('says hello, streams live events and replays from since', async () => {
      const ws = new WsClient(s.url, s.token);
      await ws.opened;
      const hello = await ws.waitFor(m => m.type === 'hello');
      ws.send({ type: 'subscribe' });
      const post = await s.req('POST', '/api/v1/batches', { app: 't-echo', params: [{ msg: 'ws' }] });
      const id = post.body.batch.id;
      await ws.waitFor(m => m.type === 'batch' && m.batch.id === id && m.batch.status === 'completed');
      const seqs = ws.messages.filter(m => m.seq).map(m => m.seq);
      expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
      ws.close();

      // A new client asking for everything since hello gets the same events again.
      const ws2 = new WsClient(s.url, s.token);
      await ws2.opened;
      ws2.send({ type: 'subscribe', batchIds: [id], since: hello.seq });
      await ws2.waitFor(m => m.type === 'batch' && m.batch.id === id && m.batch.status === 'completed');
      const rowEvents = ws2.messages.filter(m => m.type === 'job' && m.job.batchId === id);
      expect(rowEvents.map(m => m.job.status)).toEqual(expect.arrayContaining(['queued', 'running', 'completed']));
      ws2.close();
    });

    it('answers reset when since is older than the retained events', async () => {
      const events = s.server.engine.store.events;
      const max = events.maxSeq();
      events.prune(-1, 0); // retention passed for every event
      expect(events.maxSeq()).toBe(max);
      const ws = new WsClient(s.url, s.token);
      await ws.opened;
      const hello = await ws.waitFor(m => m.type === 'hello');
      expect(hello.seq).toBe(max);
      ws.send({ type: 'subscribe', since: 1 });
      await ws.waitFor(m => m.type === 'reset');
      ws.close();
    });

    it('speaks MessagePack by default and tails logs', async () => {
      const ws = new WsClient(s.url, s.token, false);
      await ws.opened;
      await ws.waitFor(m => m.type === 'hello');
      const post = await s.req('POST', '/api/v1/jobs', { app: 't-echo', params: { msg: 'hello log' } });
      await waitJob(s, post.body.job.id, ['completed']);
      ws.send({ type: 'logs', jobId: post.body.job.id, stream: 'stdout', follow: true });
      const log = await ws.waitFor(m => m.type === 'log');
      expect(log.data).toBe('hello log\n');
      const rest = await s.req('GET', `/api/v1/jobs/${post.body.job.id}/logs?stream=stdout`);
      expect(rest.body).toMatchObject({ data: 'hello log\n', offset: 0, nextOffset: 10, eof: true });
      ws.close();
    });
  });
}
