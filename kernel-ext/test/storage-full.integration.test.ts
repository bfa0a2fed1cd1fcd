/**
 * A full disk (docs/SEMANTICS.md "A full disk"): the compiled server with its data dir on
 * a small tmpfs. The disk fills mid-batch: the server stays up, health says so with the
 * free space, writes answer 507 storage_full; once space is freed the batch completes
 * with every row completed once. Mounting a tmpfs needs root, which `make test` runs as.
 */
import { execFileSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { client, sleep, spawnServer, stablePort, tempDir } from './helpers/server';

jest.setTimeout(120000);

const ROWS = 40;
let mount: string;
let child: ChildProcess | undefined;

beforeAll(() => {
  mount = tempDir('bulkrun-full-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', mount], { stdio: 'pipe' });
  } catch (e) {
    throw new Error(
      `This test mounts a 16 MB tmpfs and needs root (mount failed: ${(e as Error).message})`
    );
  }
});

afterAll(() => {
  child?.kill('SIGKILL');
  try {
    execFileSync('umount', ['-l', mount], { stdio: 'pipe' });
  } catch {
    // already gone
  }
});

/** Writes until the filesystem says ENOSPC; answers the file to delete to free it. */
function fill(dir: string): string {
  const file = path.join(dir, 'filler');
  const fd = fs.openSync(file, 'w');
  const chunk = Buffer.alloc(256 * 1024, 1);
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    fs.closeSync(fd);
  }
  return file;
}

it('fills mid-batch: no crash, 507 storage_full and health say why; freed, every row completes once', async () => {
  const dataDir = path.join(mount, 'data');
  fs.mkdirSync(dataDir);
  const port = stablePort();
  child = await spawnServer(dataDir, port, {
    users: [{ token: 'full-token', user: 'alice' }],
    slots: { local: { '*': 2 } },
    engine: { lowSpaceMB: 8 },
  });
  let exited: number | null = null;
  child.once('exit', code => (exited = code));
  const c = client(`http://127.0.0.1:${port}`, 'full-token');

  const health0 = (await c.req('GET', '/api/v1/health')).body;
  expect(health0).toMatchObject({ degraded: null, storage: { dataDir, state: 'ok' } });

  const params = Array.from({ length: ROWS }, () => ({ seconds: 0.3 }));
  const post = await c.req('POST', '/api/v1/batches', { app: 't-sleep', params });
  expect(post.status).toBe(202);
  const id = post.body.batch.id;
  const done = async () => (await c.req('GET', `/api/v1/batches/${id}`)).body.counts.completed;
  for (let t = Date.now(); (await done()) < 4 && Date.now() - t < 30000; ) await sleep(100);

  const filler = fill(mount);
  // Rows keep finishing meanwhile; their exits wait for space.
  await sleep(2500);
  expect(exited).toBeNull();
  const health = (await c.req('GET', '/api/v1/health')).body;
  expect(health.storage.state).toBe('full');
  expect(health.degraded).toMatch(/^data dir full: \d+\.\d MB free in /);
  const refused = await c.req('POST', '/api/v1/batches', { app: 't-sleep', params });
  expect(refused.status).toBe(507);
  expect(refused.body.error.code).toBe('storage_full');
  expect(refused.body.error.message).toMatch(
    new RegExp(`^the data dir ${dataDir} is full \\(\\d+\\.\\d MB free\\)`)
  );
  const during = await done();
  expect(during).toBeLessThan(ROWS);

  fs.rmSync(filler);
  let b: any;
  for (let t = Date.now(); Date.now() - t < 60000; await sleep(200)) {
    b = (await c.req('GET', `/api/v1/batches/${id}`)).body;
    if (b.status !== 'running') break;
  }
  expect(exited).toBeNull();
  expect({ status: b.status, counts: b.counts }).toEqual({
    status: 'completed',
    counts: { created: 0, queued: 0, running: 0, completed: ROWS, error: 0, terminated: 0 },
  });
  // Every row completed once; an attempt the full disk broke says so and was retried.
  const jobs = (await c.req('GET', `/api/v1/batches/${id}/jobs?limit=1000`)).body.jobs as any[];
  expect(jobs.map(j => j.index).sort((x, y) => x - y)).toEqual([...Array(ROWS).keys()]);
  for (const j of jobs.filter(x => x.attempt > 1)) {
    const first = (await c.req('GET', `/api/v1/jobs/${j.retryParent}`)).body;
    expect(first.error?.code).toBe('storage_full');
  }
  const after = (await c.req('GET', '/api/v1/health')).body;
  expect(after.degraded).toBeNull();
  expect(['ok', 'low']).toContain(after.storage.state);
});
