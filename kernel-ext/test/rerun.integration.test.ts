/**
 * Edit and rerun (docs/SEMANTICS.md): a failed row runs again with the parameters the
 * user fixed, as the row's next attempt, recorded as edited; the retry rules still hold.
 */
import * as fs from 'fs';
import * as path from 'path';
import { startTestServer, tempDir, waitBatch, waitJob, type TestServer } from './helpers/server';

let s: TestServer;
let dir: string;
beforeAll(async () => {
  s = await startTestServer();
  dir = tempDir('bulkrun-rerun-');
  fs.writeFileSync(path.join(dir, 'right.txt'), 'right\n');
  fs.mkdirSync(path.join(dir, 'wrong.txt')); // there, but cat cannot read a folder
});
afterAll(() => s.close());

test('a failed row reruns with fixed params; the batch completes; the attempt says it was edited', async () => {
  const made = await s.req('POST', '/api/v1/batches', {
    app: 't-cat',
    params: [{ input: 'right.txt' }, { input: 'wrong.txt' }],
    baseDir: dir,
  });
  expect(made.status).toBe(202);
  const id = made.body.batch.id;
  await waitBatch(s, id, ['error']);
  const failed = (await s.req('GET', `/api/v1/batches/${id}/jobs?status=error`)).body.jobs[0];
  expect(failed.index).toBe(1);

  // Bad edits are refused whole, with every problem, and create nothing.
  const bad = await s.req('POST', `/api/v1/jobs/${failed.id}/rerun`, {
    params: { input: 'missing.txt', extra: 1 },
    baseDir: dir,
  });
  expect(bad.status).toBe(400);
  expect(bad.body.error.details.map((e: any) => e.field)).toEqual(['params.extra']);
  const missing = await s.req('POST', `/api/v1/jobs/${failed.id}/rerun`, {
    params: { input: 'missing.txt' },
    baseDir: dir,
  });
  expect(missing.status).toBe(400);
  expect(missing.body.error.details[0].message).toMatch(/^missing.txt: no such file/);
  expect((await s.req('GET', `/api/v1/jobs/${failed.id}`)).body.retryIds).toEqual([]);

  const rerun = await s.req('POST', `/api/v1/jobs/${failed.id}/rerun`, {
    params: { input: 'right.txt' },
    baseDir: dir,
  });
  expect(rerun.status).toBe(202);
  const next = rerun.body.job;
  expect(next).toMatchObject({ retryParent: failed.id, attempt: 2, paramsEdited: true });
  expect(next.params).toEqual({ input: path.join(dir, 'right.txt'), more: [] });
  await waitJob(s, next.id, ['completed']);
  expect((await waitBatch(s, id, ['completed'])).counts.completed).toBe(2);
  // The first attempt keeps what it ran with.
  expect((await s.req('GET', `/api/v1/jobs/${failed.id}`)).body).toMatchObject({
    params: { input: path.join(dir, 'wrong.txt') },
    paramsEdited: false,
  });
});

test('the retry rules hold: not a batch parent, only failed or cancelled jobs', async () => {
  const made = await s.req('POST', '/api/v1/batches', {
    app: 't-cat',
    params: [{ input: 'right.txt' }],
    baseDir: dir,
  });
  const id = made.body.batch.id;
  const parent = await s.req('POST', `/api/v1/jobs/${id}/rerun`, { params: { input: 'x' } });
  expect(parent.status).toBe(409);
  expect(parent.body.error.message).toBe(
    'Cannot retry batch job parents. Must retry individual jobs'
  );
  await waitBatch(s, id, ['completed']);
  const row = made.body.jobIds[0];
  const done = await s.req('POST', `/api/v1/jobs/${row}/rerun`, {
    params: { input: 'right.txt' },
    baseDir: dir,
  });
  expect(done.status).toBe(409);
  expect(done.body.error.message).toMatch(
    /can only retry jobs with status 'error' or 'terminated'/
  );
  const other = await s.req(
    'POST',
    `/api/v1/jobs/${row}/rerun`,
    { params: { input: 'right.txt' } },
    'test-token-bob'
  );
  expect(other.status).toBe(404);
});
