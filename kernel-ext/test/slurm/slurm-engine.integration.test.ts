/**
 * The whole server on the Slurm backend: a batch with a fan-in, a failing row, and an
 * OOM-killed row retried with more memory, through the REST API.
 */
import { startTestServer, type TestServer, waitBatch } from '../helpers/server';
import { describeSlurm, slurmUp } from './harness';

jest.setTimeout(180_000);

describeSlurm('server on the Slurm backend', () => {
  let s: TestServer;
  beforeAll(async () => {
    slurmUp('slurm-engine.integration');
    s = await startTestServer({ config: { backends: { slurm: { pollIntervalMs: 500 } } } });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('reports Slurm available in /health', async () => {
    const h = await s.req('GET', '/api/v1/health');
    expect(h.body.backends.slurm).toMatchObject({ available: true });
  });

  it('runs a batch as one array, then its fan-in, and records outputs', async () => {
    const rows = Array.from({ length: 20 }, (_, i) => ({ msg: `row ${i}` }));
    const post = await s.req('POST', '/api/v1/batches', {
      app: 't-echo',
      params: rows,
      backend: 'slurm',
      fanIn: { app: 't-merge', params: {} },
      maxParallel: 5,
    });
    expect(post.status).toBe(202);
    const done = await waitBatch(s, post.body.batch.id, ['completed', 'error'], 150_000);
    expect(done.status).toBe('completed');
    const jobs = (await s.req('GET', `/api/v1/batches/${done.id}/jobs?limit=100`)).body.jobs;
    const tasks = jobs.filter((j: any) => j.role === 'task');
    expect(tasks).toHaveLength(20);
    expect(new Set(tasks.map((j: any) => j.backendJobId.split('_')[0])).size).toBe(1);
    expect(tasks[3].output).toEqual({ message: 'row 3' });
    const fanIn = jobs.find((j: any) => j.role === 'fan_in');
    expect(fanIn).toMatchObject({ status: 'completed', backend: 'slurm' });
    expect(fanIn.output.count).toBe(20);
  });

  it('a failing row is an error with its exit code; an OOM kill is retried with more memory', async () => {
    const post = await s.req('POST', '/api/v1/batches', {
      app: 't-echo',
      params: [{ msg: 'ok' }, { msg: 'bad', code: 3 }],
      backend: 'slurm',
    });
    const done = await waitBatch(s, post.body.batch.id, ['completed', 'error'], 120_000);
    expect(done.status).toBe('error');
    const jobs = (await s.req('GET', `/api/v1/batches/${done.id}/jobs`)).body.jobs;
    expect(jobs.find((j: any) => j.params.msg === 'bad')).toMatchObject({
      status: 'error',
      exitCode: 3,
      error: { code: 'job_crashed' },
    });

    const oom = await s.req('POST', '/api/v1/batches', {
      app: 't-oom',
      params: [{}],
      maxRetries: 1,
      backend: 'slurm',
    });
    const ob = await waitBatch(s, oom.body.batch.id, ['completed', 'error'], 120_000);
    expect(ob.status).toBe('completed');
    const all = (await s.req('GET', `/api/v1/batches/${ob.id}/jobs?attempts=all`)).body.jobs;
    expect(all[0]).toMatchObject({ status: 'error', error: { code: 'oom' } });
    expect(all[1]).toMatchObject({ status: 'completed', resources: { memory: '200M' } });
  });

  it('with a 10-minute poll, rows end at once through their own reports', async () => {
    const r = await startTestServer({
      config: { backends: { slurm: { pollIntervalMs: 600_000 } } },
    });
    try {
      const post = await r.req('POST', '/api/v1/batches', {
        app: 't-echo',
        params: [{ msg: 'a' }, { msg: 'b', code: 2 }],
        backend: 'slurm',
      });
      // Only reports can end them: the one poll after the start came before the batch.
      const done = await waitBatch(r, post.body.batch.id, ['completed', 'error'], 60_000);
      const jobs = (await r.req('GET', `/api/v1/batches/${done.id}/jobs`)).body.jobs;
      expect(jobs[0]).toMatchObject({ status: 'completed', output: { message: 'a' } });
      expect(jobs[1]).toMatchObject({ status: 'error', exitCode: 2 });
      expect(jobs[0].usage.wallSeconds).not.toBeNull();
    } finally {
      await r.close();
    }
  });
});
