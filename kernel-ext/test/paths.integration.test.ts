/**
 * Path parameters (src/apps/paths.ts, docs/SEMANTICS.md "Paths"): relative values are
 * resolved against the request's baseDir and must exist on a backend that shares this
 * machine's files; every missing one is reported at once and nothing is created.
 */
import * as fs from 'fs';
import * as path from 'path';
import { startTestServer, tempDir, waitBatch, type TestServer } from './helpers/server';

let s: TestServer;
let notebookDir: string;

beforeAll(async () => {
  s = await startTestServer({ config: { backends: { slurm: { sharedFilesystem: false } } } });
  notebookDir = tempDir('bulkrun-notebook-');
  fs.mkdirSync(path.join(notebookDir, 'texts'));
  for (const n of [1, 2, 3])
    fs.writeFileSync(path.join(notebookDir, 'texts', `file${n}.txt`), `line ${n}\n`);
});
afterAll(() => s.close());

async function batchCount(): Promise<number> {
  return (await s.req('GET', '/api/v1/batches?limit=1000')).body.batches.length;
}

test('relative paths run from the base dir: the rows read the files the user named', async () => {
  const r = await s.req('POST', '/api/v1/batches', {
    app: 't-cat',
    params: [{ input: 'texts/file1.txt' }, { input: 'texts/file2.txt', more: ['texts/file3.txt'] }],
    baseDir: notebookDir,
  });
  expect(r.status).toBe(202);
  const done = await waitBatch(s, r.body.batch.id, ['completed', 'error']);
  expect(done.status).toBe('completed');
  const jobs = (await s.req('GET', `/api/v1/batches/${r.body.batch.id}/jobs`)).body.jobs;
  expect(jobs.map((j: any) => j.params)).toEqual([
    { input: path.join(notebookDir, 'texts/file1.txt'), more: [] },
    {
      input: path.join(notebookDir, 'texts/file2.txt'),
      more: [path.join(notebookDir, 'texts/file3.txt')],
    },
  ]);
  const log = await s.req('GET', `/api/v1/jobs/${jobs[1].id}/logs?stream=stdout`);
  expect(log.body.data).toBe('line 2\nline 3\n');
});

test('missing files are reported for every row at once, and nothing is created', async () => {
  const before = await batchCount();
  const r = await s.req('POST', '/api/v1/batches', {
    app: 't-cat',
    params: [{ input: 'texts/file1.txt' }, { input: 'texts/file9.txt' }, { input: '/nope/x' }],
    baseDir: notebookDir,
  });
  expect(r.status).toBe(400);
  expect(r.body.error.details).toEqual([
    {
      row: 1,
      field: 'input',
      message: `texts/file9.txt: no such file or directory (looked for ${path.join(notebookDir, 'texts/file9.txt')})`,
    },
    { row: 2, field: 'input', message: '/nope/x: no such file or directory' },
  ]);
  expect(await batchCount()).toBe(before);
});

test('a base dir must be absolute; `..` stays refused', async () => {
  const rel = await s.req('POST', '/api/v1/batches', {
    app: 't-cat',
    params: [{ input: 'texts/file1.txt' }],
    baseDir: 'relative/dir',
  });
  expect(rel.status).toBe(400);
  expect(rel.body.error.details).toEqual([
    { row: null, field: 'baseDir', message: 'must be an absolute path' },
  ]);
  const up = await s.req('POST', '/api/v1/batches', {
    app: 't-cat',
    params: [{ input: '../texts/file1.txt' }],
    baseDir: path.join(notebookDir, 'texts'),
  });
  expect(up.status).toBe(400);
  expect(up.body.error.details[0].message).toMatch(/without '\.\.'/);
});

test('single jobs resolve and check their paths too', async () => {
  const ok = await s.req('POST', '/api/v1/jobs', {
    app: 't-cat',
    params: { input: 'texts/file3.txt' },
    baseDir: notebookDir,
  });
  expect(ok.status).toBe(202);
  expect(ok.body.job.params.input).toBe(path.join(notebookDir, 'texts/file3.txt'));
  const missing = await s.req('POST', '/api/v1/jobs', {
    app: 't-cat',
    params: { input: 'texts/none.txt' },
    baseDir: notebookDir,
  });
  expect(missing.status).toBe(400);
  expect(missing.body.error.details[0]).toMatchObject({ field: 'params.input' });
});

test('a backend without a shared filesystem resolves paths but does not check them', async () => {
  const r = await s.req('POST', '/api/v1/batches', {
    app: 't-cat',
    params: [{ input: 'texts/only-on-the-cluster.txt' }],
    baseDir: notebookDir,
    backend: 'slurm',
  });
  expect(r.status).toBe(202);
  await s.req('POST', `/api/v1/batches/${r.body.batch.id}/cancel`);
  const jobs = (await s.req('GET', `/api/v1/batches/${r.body.batch.id}/jobs`)).body.jobs;
  expect(jobs[0].params.input).toBe(path.join(notebookDir, 'texts/only-on-the-cluster.txt'));
});

test('POST /paths/check answers what is at each path, resolved as a batch would', async () => {
  const r = await s.req('POST', '/api/v1/paths/check', {
    paths: ['texts/file1.txt', 'texts', 'texts/file9.txt', '/etc/hostname'],
    baseDir: notebookDir,
  });
  expect(r.status).toBe(200);
  expect(r.body.results.map((x: any) => [x.path, x.kind])).toEqual([
    ['texts/file1.txt', 'file'],
    ['texts', 'directory'],
    ['texts/file9.txt', null],
    ['/etc/hostname', fs.existsSync('/etc/hostname') ? 'file' : null],
  ]);
  expect(r.body.results[0].resolved).toBe(path.join(notebookDir, 'texts/file1.txt'));
  const bad = await s.req('POST', '/api/v1/paths/check', { paths: 'x', baseDir: 'rel' });
  expect(bad.status).toBe(400);
  expect(bad.body.error.message).toMatch(
    /baseDir must be an absolute path; paths must be an array/
  );
});
