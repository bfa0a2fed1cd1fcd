/** Automatic retries on the local backend: OOM with doubled memory, bounded by maxRetries. */
import * as fs from 'fs';
import * as path from 'path';
import { startServer, type RunningServer } from '../src/server';
import {
  client,
  type Client,
  startTestServer,
  tempDir,
  TEST_APPS,
  type TestServer,
  waitBatch,
} from './helpers/server';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s?.close();
});

it('retries an OOM-killed row once with doubled memory, recorded as a normal retry', async () => {
  const post = await s.req('POST', '/api/v1/batches', {
    app: 't-oom',
    params: [{}],
    maxRetries: 1,
  });
  const done = await waitBatch(s, post.body.batch.id, ['completed', 'error']);
  expect(done.status).toBe('completed');
  const all = (await s.req('GET', `/api/v1/batches/${done.id}/jobs?attempts=all`)).body.jobs;
  expect(all).toHaveLength(2);
  expect(all[0]).toMatchObject({
    status: 'error',
    error: { code: 'oom' },
    resources: { memory: '100M' },
  });
  expect(all[1]).toMatchObject({
    status: 'completed',
    retryParent: all[0].id,
    resources: { memory: '200M' },
  });
  expect(all[1].output).toEqual({ attempt: 2 });
});

it('does not retry automatically when maxRetries is 0', async () => {
  const post = await s.req('POST', '/api/v1/batches', {
    app: 't-oom',
    params: [{}],
    maxRetries: 0,
  });
  const done = await waitBatch(s, post.body.batch.id, ['completed', 'error']);
  expect(done.status).toBe('error');
  const all = (await s.req('GET', `/api/v1/batches/${done.id}/jobs?attempts=all`)).body.jobs;
  expect(all).toHaveLength(1);
});

it('doubles memory written in any unit: batch resources of 1.5GiB retry with 3G', async () => {
  const post = await s.req('POST', '/api/v1/batches', {
    app: 't-oom',
    params: [{}],
    maxRetries: 1,
    resources: { memory: '1.5GiB' },
  });
  expect(post.status).toBe(202);
  const done = await waitBatch(s, post.body.batch.id, ['completed', 'error']);
  const all = (await s.req('GET', `/api/v1/batches/${done.id}/jobs?attempts=all`)).body.jobs;
  expect(all.map((j: any) => j.resources.memory)).toEqual(['1.5GiB', '3G']);
});

describe('an app whose default memory is written 8GiB', () => {
  let server: RunningServer;
  let c: Client;
  beforeAll(async () => {
    // t-oom with its default memory in a unit the old doubling could not read (NaN → 2048M).
    const apps = tempDir('bulkrun-apps-');
    const oom = JSON.parse(fs.readFileSync(path.join(TEST_APPS, 't-oom.json'), 'utf8'));
    fs.writeFileSync(
      path.join(apps, 't-oom-gib.json'),
      JSON.stringify({ ...oom, id: 't-oom-gib', resources: { memory: '8GiB' } })
    );
    const dataDir = tempDir();
    const configFile = path.join(dataDir, 'config.json');
    fs.writeFileSync(configFile, JSON.stringify({ users: [{ token: 'tok-a', user: 'alice' }] }));
    server = await startServer({
      port: 0,
      dataDir,
      apps: [TEST_APPS, apps],
      configFile,
      logLevel: 'warn',
    });
    c = client(server.url, 'tok-a');
  });
  afterAll(async () => {
    await server?.close();
  });

  it('retries after an oom asking for 16G, never less than before', async () => {
    const post = await c.req('POST', '/api/v1/batches', {
      app: 't-oom-gib',
      params: [{}],
      maxRetries: 1,
    });
    expect(post.status).toBe(202);
    const done = await waitBatch(c, post.body.batch.id, ['completed', 'error']);
    expect(done.status).toBe('completed');
    const all = (await c.req('GET', `/api/v1/batches/${done.id}/jobs?attempts=all`)).body.jobs;
    expect(all).toHaveLength(2);
    expect(all[0]).toMatchObject({ error: { code: 'oom' }, resources: { memory: '8GiB' } });
    expect(all[1]).toMatchObject({ status: 'completed', resources: { memory: '16G' } });
  });
});
