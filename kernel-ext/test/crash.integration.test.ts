/**
 * kill -9 of the server mid-batch: after a restart on the same data dir nothing is lost
 * and no row runs twice. Uses the compiled server in a child process.
 */
import * as fs from 'fs';
import * as path from 'path';
import { client, sleep, spawnServer, stablePort, tempDir, until, waitBatch } from './helpers/server';

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
  const rows = Array.from({ length: 12 }, (_, i) => ({ file: marks, tag: `row${i}`, seconds: 0.8 }));
  const post = await c.req('POST', '/api/v1/batches', { app: 't-mark', params: rows });
  expect(post.status).toBe(202);
  const id = post.body.batch.id;
  await until(async () => (await c.req('GET', `/api/v1/batches/${id}`)).body.counts.running >= 2, 15000, 'rows running');
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
