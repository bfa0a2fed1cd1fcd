/**
 * kill -9 of the server mid-batch: after a restart on the same data dir nothing is lost
 * and no row runs twice. Uses the compiled server in a child process.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  client,
  sleep,
  spawnServer,
  stablePort,
  tempDir,
  until,
  waitBatch,
} from './helpers/server';

const CONFIG = {
  users: [{ token: 'crash-token', user: 'alice' }],
  slots: { local: { '*': 3 } },
};

it('survives kill -9 mid-batch: every row runs exactly once and the batch completes', async () => {
  const dataDir = tempDir();
  const marks = path.join(dataDir, 'marks.txt');
  const port = stablePort();
  let child = await spawnServer(dataDir, port, CONFIG);
  const c = client(`http://127.0.0.1:${port}`, 'crash-token');
  const rows = Array.from({ length: 12 }, (_, i) => ({
    file: marks,
    tag: `row${i}`,
    seconds: 0.8,
  }));
  const post = await c.req('POST', '/api/v1/batches', { app: 't-mark', params: rows });
  expect(post.status).toBe(202);
  const id = post.body.batch.id;
  await until(
    async () => (await c.req('GET', `/api/v1/batches/${id}`)).body.counts.running >= 2,
    15000,
    'rows running'
  );
  child.kill('SIGKILL');
  await new Promise(r => child.once('exit', r));
  await sleep(1500); // running rows finish while no server is up
  child = await spawnServer(dataDir, port, CONFIG);
  try {
    const done = await waitBatch(c, id, ['completed', 'error', 'terminated'], 60000);
    expect(done.status).toBe('completed');
    expect(done.counts.completed).toBe(12);
    const lines = fs.readFileSync(marks, 'utf8').trim().split('\n').sort();
    expect(lines).toEqual(rows.map(r => r.tag).sort());
  } finally {
    child.kill('SIGKILL');
  }
});

it('survives kill -9 while rows are fanning out: nothing lost, no sub-batch made twice, every leaf runs once', async () => {
  const dataDir = tempDir();
  const port = stablePort();
  const config = { ...CONFIG, slots: { local: { '*': 6 } } };
  let child = await spawnServer(dataDir, port, config);
  const c = client(`http://127.0.0.1:${port}`, 'crash-token');
  const n = 4;
  const post = await c.req('POST', '/api/v1/batches', {
    app: 't-nest',
    params: Array.from({ length: 6 }, () => ({ levels: 2, n, sleep: 0.3 })),
    fanIn: { app: 't-merge' },
  });
  expect(post.status).toBe(202);
  const id = post.body.batch.id;
  const subBatches = async () =>
    (await c.req('GET', `/api/v1/batches/${id}/jobs`)).body.jobs.filter((j: any) => j.children)
      .length;
  // Twice: once as the first rows fan out, once as their children do.
  for (const atLeast of [1, 4]) {
    await until(async () => (await subBatches()) >= atLeast, 60000, `${atLeast} rows fanned out`);
    child.kill('SIGKILL');
    await new Promise(r => child.once('exit', r));
    await sleep(1000); // fan-outs in flight meet no server: `bulkrun fanout` waits
    child = await spawnServer(dataDir, port, config);
  }
  try {
    const done = await waitBatch(c, id, ['completed', 'error', 'terminated'], 120000);
    expect(done.status).toBe('completed');
    const leaves = Array.from({ length: n }, (_, i) => ({ leaf: i }));
    const level2 = {
      count: n,
      inputs: Array.from({ length: n }, () => ({ count: n, inputs: leaves })),
    };
    const fanIn = (await c.req('GET', `/api/v1/jobs/${done.fanInJobId}`)).body;
    expect(fanIn.output).toEqual({ count: 6, inputs: Array.from({ length: 6 }, () => level2) });
    // One sub-batch per row that fanned out, each with its n rows once; every leaf ran once.
    const { Database } = await import('../src/store/sqlite');
    const db = new Database(path.join(dataDir, 'bulkrun.db'), { readonly: true });
    try {
      const perBatch = db
        .prepare(
          `SELECT b.id, b.total, (SELECT COUNT(*) FROM jobs j WHERE j.batch_id = b.id AND j.role = 'task') AS jobs
             FROM batches b WHERE b.id != ?`
        )
        .all(id) as { id: string; total: number; jobs: number }[];
      expect(perBatch).toHaveLength(6 + 6 * n);
      for (const b of perBatch) expect(b).toEqual({ id: b.id, total: n, jobs: n });
      const leafAttempts = db
        .prepare(
          `SELECT COUNT(*) AS jobs, MAX(attempt) AS most FROM jobs WHERE app = 't-nest' AND is_batch = 0 AND role = 'task'`
        )
        .get() as { jobs: number; most: number };
      expect(leafAttempts).toEqual({ jobs: 6 * n * n, most: 1 });
    } finally {
      db.close();
    }
  } finally {
    child.kill('SIGKILL');
  }
}, 240000);
