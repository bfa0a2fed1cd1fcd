/**
 * A big batch's rows are written after its 202 (engine/batch-writer.ts): the answer names
 * every row at once, a request naming the batch or a row not yet written answers once all
 * are (never a part of the batch), an idempotent repeat meanwhile gets the same ids, and a
 * kill -9 between chunks loses no row and writes none twice.
 */
import * as path from 'path';
import { WRITE_CHUNK } from '../src/engine/batch-writer';
import { Store } from '../src/store';
import {
  client,
  sleep,
  spawnServer,
  spawnedLog,
  stablePort,
  startTestServer,
  tempDir,
  until,
} from './helpers/server';

jest.setTimeout(120000);

const held = (rows: number, extra: object = {}) => ({
  app: 't-sleep',
  params: Array.from({ length: rows }, () => ({ seconds: 60 })),
  maxParallel: 1,
  ...extra,
});

/** Every row of the batch once, in row order: its ids and row indexes. */
async function rowsOf(c: { req: (m: string, p: string) => Promise<any> }, id: string) {
  const r = await c.req('GET', `/api/v1/batches/${id}/jobs?limit=100000`);
  expect(r.status).toBe(200);
  return r.body.jobs as { id: string; index: number }[];
}

test('the 202 names every row; reads wait for the rows; a repeat gets the same ids', async () => {
  const s = await startTestServer();
  try {
    const rows = WRITE_CHUNK * 4 + 17;
    const post = await s.req('POST', '/api/v1/batches', held(rows, { idempotencyKey: 'big-1' }));
    expect(post.status).toBe(202);
    const { batch, jobIds } = post.body;
    expect(jobIds).toHaveLength(rows);
    expect(new Set(jobIds).size).toBe(rows);
    expect(batch.childJobIds).toEqual(jobIds);
    expect(batch.total).toBe(rows);
    // Not yet written rows count as created from the start: the status never runs ahead.
    expect(Object.values(batch.counts).reduce((a: number, x: any) => a + x, 0)).toBe(rows);
    // Still being written right after the answer (else this test shows nothing).
    const store = s.server.engine.store;
    expect(store.writes.open()).toEqual([batch.id]);

    const again = await s.req('POST', '/api/v1/batches', held(rows, { idempotencyKey: 'big-1' }));
    expect(again.status).toBe(200);
    expect(again.body.jobIds).toEqual(jobIds);

    // The last row, named before it is written: answered once it is.
    const last = await s.req('GET', `/api/v1/jobs/${jobIds[rows - 1]}`);
    expect(last.status).toBe(200);
    expect(last.body).toMatchObject({ id: jobIds[rows - 1], index: rows - 1, batchId: batch.id });

    const listed = await rowsOf(s, batch.id);
    expect(listed.map(j => j.id)).toEqual(jobIds);
    expect(listed.map(j => j.index)).toEqual(jobIds.map((_: string, i: number) => i));
    expect(store.writes.open()).toEqual([]);

    // A small batch is written whole in its POST, as before.
    const small = await s.req('POST', '/api/v1/batches', held(3));
    expect(store.writes.open()).toEqual([]);
    expect((await rowsOf(s, small.body.batch.id)).length).toBe(3);

    const c = await s.req('POST', `/api/v1/batches/${batch.id}/cancel`);
    expect(c.body.batch.counts.terminated).toBe(rows);
  } finally {
    await s.close();
  }
});

test('kill -9 while the rows are written: the next start writes the rest, each row once', async () => {
  const dataDir = tempDir();
  const port = stablePort();
  const config = { users: [{ token: 'w-token', user: 'alice' }] };
  let child = await spawnServer(dataDir, port, config);
  const c = client(`http://127.0.0.1:${port}`, 'w-token');
  try {
    const rows = 60000;
    const post = await c.req('POST', '/api/v1/batches', held(rows));
    expect(post.status).toBe(202);
    await sleep(300);
    child.kill('SIGKILL');
    await new Promise(r => child.once('exit', r));
    const { id } = post.body.batch;
    const jobIds: string[] = post.body.jobIds;

    const store = Store.open(path.join(dataDir, 'bulkrun.db'));
    const written = store.writes.writtenUpTo(id);
    // Killed mid-write, else this test shows nothing.
    expect(store.writes.open()).toEqual([id]);
    expect(written).toBeLessThan(rows);
    store.close();

    child = await spawnServer(dataDir, port, config);
    const listed = await rowsOf(c, id);
    // The server's own account, should the rows not all be there.
    if (listed.length !== rows) expect(spawnedLog(child)).toBe('');
    expect(listed).toHaveLength(rows);
    expect(listed.map(j => j.id)).toEqual(jobIds);
    expect(listed.map(j => j.index)).toEqual(jobIds.map((_, i) => i));
    const b = await until(async () => {
      const r = (await c.req('GET', `/api/v1/batches/${id}`)).body;
      return r.counts.running === 1 ? r : undefined;
    });
    expect(b.counts.created + b.counts.queued + b.counts.running).toBe(rows);
    expect((await c.req('POST', `/api/v1/batches/${id}/cancel`)).body.batch.counts.terminated).toBe(
      rows
    );
  } finally {
    child.kill('SIGKILL');
  }
});
