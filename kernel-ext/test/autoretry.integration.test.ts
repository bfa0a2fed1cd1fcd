/** Automatic retries on the local backend: OOM with doubled memory, bounded by maxRetries. */
import { startTestServer, type TestServer, waitBatch } from './helpers/server';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s?.close();
});

it('retries an OOM-killed row once with doubled memory, recorded as a normal retry', async () => {
  const post = await s.req('POST', '/api/v1/batches', { app: 't-oom', params: [{}], maxRetries: 1 });
  const done = await waitBatch(s, post.body.batch.id, ['completed', 'error']);
  expect(done.status).toBe('completed');
  const all = (await s.req('GET', `/api/v1/batches/${done.id}/jobs?attempts=all`)).body.jobs;
  expect(all).toHaveLength(2);
  expect(all[0]).toMatchObject({ status: 'error', error: { code: 'oom' }, resources: { memory: '100M' } });
  expect(all[1]).toMatchObject({ status: 'completed', retryParent: all[0].id, resources: { memory: '200M' } });
  expect(all[1].output).toEqual({ attempt: 2 });
});

it('does not retry automatically when maxRetries is 0', async () => {
  const post = await s.req('POST', '/api/v1/batches', { app: 't-oom', params: [{}], maxRetries: 0 });
  const done = await waitBatch(s, post.body.batch.id, ['completed', 'error']);
  expect(done.status).toBe('error');
  const all = (await s.req('GET', `/api/v1/batches/${done.id}/jobs?attempts=all`)).body.jobs;
  expect(all).toHaveLength(1);
});
