/**
 * The worker pool on a real RabbitMQ with real `bulkrun worker` processes: throughput with
 * a fan-in, a worker killed mid-task, a poison row, cancel, a broker restart, and workers
 * that exit once the queue is drained (docs/SEMANTICS.md "Worker pool").
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import {
  sleep,
  startTestServer,
  tempDir,
  type TestServer,
  until,
  waitBatch,
} from '../helpers/server';
import {
  brokerCommand,
  describeRabbit,
  dropQueues,
  rabbitConfig,
  rabbitUp,
  startWorker,
  stopWorkers,
  uniqueQueue,
  type WorkerProc,
} from './harness';

jest.setTimeout(240_000);

beforeAll(() => rabbitUp('worker pool'), 300_000);
const used: string[] = [];
afterAll(() => dropQueues(used));

const rowsOf = async (s: TestServer, id: string, all = false) =>
  (await s.req('GET', `/api/v1/batches/${id}/jobs${all ? '?attempts=all' : ''}`)).body
    .jobs as any[];

const lines = (file: string) =>
  fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];

describeRabbit('worker pool on RabbitMQ', () => {
  let s: TestServer;
  let workers: WorkerProc[] = [];
  let queue = '';

  async function serve(extra: Record<string, unknown> = {}): Promise<void> {
    queue = uniqueQueue('pool');
    used.push(queue);
    s = await startTestServer({ config: rabbitConfig(queue, extra) });
    await until(
      async () => (await s.req('GET', '/api/v1/health')).body.backends?.rabbitmq?.available,
      20_000,
      'broker link'
    );
  }

  afterEach(async () => {
    const failed =
      (expect.getState() as { assertionCalls: number }) &&
      workers.some(w => /"level":[56]0/.test(w.log()));
    if (failed) for (const w of workers) console.log(w.log().slice(-3000));
    await stopWorkers(workers);
    workers = [];
    await s?.close();
  });

  it('runs 300 rows over 3 workers once each, with a fan-in over outputs in row order', async () => {
    await serve();
    workers = [0, 1, 2].map(() => startWorker(queue, ['--concurrency', '2']));
    const marks = path.join(tempDir(), 'marks');
    const params = Array.from({ length: 300 }, (_, i) => ({
      file: marks,
      tag: `r${i}`,
      seconds: 0,
    }));
    const t0 = Date.now();
    const post = await s.req('POST', '/api/v1/batches', {
      app: 't-mark',
      params,
      fanIn: { app: 't-merge' },
      maxRetries: 0,
    });
    expect(post.status).toBe(202);
    const done = await waitBatch(s, post.body.batch.id, ['completed', 'error'], 180_000);
    const secs = (Date.now() - t0) / 1000;
    expect(done.status).toBe('completed');
    expect(done.counts.completed).toBe(300);
    // Every row ran exactly once: one mark each, one attempt each.
    const ran = lines(marks);
    expect(ran).toHaveLength(300);
    expect(new Set(ran).size).toBe(300);
    expect((await rowsOf(s, post.body.batch.id, true)).filter(r => r.role === 'task')).toHaveLength(
      300
    );
    // The fan-in saw 300 inputs in row order.
    const fanIn = (await s.req('GET', `/api/v1/jobs/${done.fanInJobId}`)).body;
    expect(fanIn.status).toBe('completed');
    expect(fanIn.output.count).toBe(300);
    // The rows ran on all three workers, named in backendJobId.
    const rows = await rowsOf(s, post.body.batch.id);
    expect(new Set(rows.map(r => r.backendJobId)).size).toBe(3);
    // Logs came back over the broker (no shared work dir).
    const log = await s.req('GET', `/api/v1/jobs/${rows[0].id}/logs?stream=stdout`);
    expect(log.status).toBe(200);
    console.log(`300 rows on 3 workers × 2: ${secs.toFixed(1)} s`);
  });

  it('loses nothing when a worker is killed -9 mid-task: the row runs again as a node_failure attempt', async () => {
    await serve();
    workers = [0, 1, 2].map(() => startWorker(queue, ['--concurrency', '2']));
    const marks = path.join(tempDir(), 'marks');
    const params = Array.from({ length: 12 }, (_, i) => ({
      file: marks,
      tag: `r${i}`,
      seconds: 3,
    }));
    const post = await s.req('POST', '/api/v1/batches', { app: 't-mark', params, maxRetries: 2 });
    const id = post.body.batch.id;
    // Wait until the first worker runs something, then kill it.
    const victim = await until(
      async () => {
        const rows = await rowsOf(s, id);
        return rows.find(r => r.status === 'running' && r.backendJobId)?.backendJobId as
          | string
          | undefined;
      },
      30_000,
      'a running row'
    );
    const pid = Number(victim.split('-').slice(-2)[0]);
    const killed = workers.find(w => w.child.pid === pid)!;
    expect(killed).toBeDefined();
    killed.child.kill('SIGKILL');
    const done = await waitBatch(s, id, ['completed', 'error'], 120_000);
    expect(done.status).toBe('completed');
    expect(done.counts.completed).toBe(12);
    const all = await rowsOf(s, id, true);
    const lost = all.filter(r => r.error?.code === 'node_failure');
    expect(lost.length).toBeGreaterThan(0);
    expect(lost.length).toBeLessThanOrEqual(2);
    for (const r of lost) expect(r.error.message).toMatch(/worker .* stopped answering/);
    // One completed attempt per row.
    expect(all.filter(r => r.status === 'completed')).toHaveLength(12);
  });

  it('dead-letters a poison row that kills its worker, and the other rows complete', async () => {
    await serve({ deliveryLimit: 3 });
    // A supervisor, as a Deployment is: a worker that dies is replaced.
    let restarts = 0;
    let stopping = false;
    const keep = (w: WorkerProc) => {
      void w.exited.then(() => {
        if (stopping) return;
        restarts++;
        const next = startWorker(queue);
        workers.push(next);
        keep(next);
      });
    };
    workers = [0, 1].map(() => startWorker(queue));
    workers.forEach(keep);
    const params = Array.from({ length: 10 }, (_, i) => ({ poison: i === 4 ? 'yes' : 'no' }));
    const post = await s.req('POST', '/api/v1/batches', { app: 't-poison', params, maxRetries: 5 });
    const id = post.body.batch.id;
    const done = await waitBatch(s, id, ['completed', 'error'], 150_000);
    stopping = true;
    expect(done.status).toBe('error');
    expect(done.counts).toMatchObject({ completed: 9, error: 1 });
    const rows = await rowsOf(s, id);
    const bad = rows.find(r => r.index === 4);
    expect(bad.error.code).toBe('dead_lettered');
    expect(bad.error.message).toMatch(
      /Dead-lettered: a worker stopped while running this row 3 times/
    );
    // Exactly the limit of workers died: no crash loop.
    expect(restarts).toBe(3);
    const attempts = (await rowsOf(s, id, true)).filter(r => r.index === 4);
    expect(attempts.map(a => a.error.code)).toEqual([
      'node_failure',
      'node_failure',
      'dead_lettered',
    ]);
  });

  it('cancels a batch: queued rows never start, running ones stop', async () => {
    await serve();
    workers = [0, 1].map(() => startWorker(queue, ['--concurrency', '2']));
    const marks = path.join(tempDir(), 'marks');
    const params = Array.from({ length: 20 }, (_, i) => ({
      file: marks,
      tag: `c${i}`,
      seconds: 60,
    }));
    const post = await s.req('POST', '/api/v1/batches', { app: 't-mark', params });
    const id = post.body.batch.id;
    await until(
      async () =>
        lines(marks).length === 4 &&
        (await rowsOf(s, id)).filter(r => r.status === 'running').length === 4,
      30_000,
      '4 running'
    );
    const c = await s.req('POST', `/api/v1/batches/${id}/cancel`, {});
    expect(c.status).toBe(200);
    const done = await waitBatch(s, id, ['terminated'], 30_000);
    expect(done.counts.terminated).toBe(20);
    // The running processes stop (SIGTERM to their process group).
    await until(async () => !processesMatching(marks), 20_000, 'the running jobs to stop');
    // Freed slots take the remaining messages, and the server tells them to skip.
    await sleep(2000);
    expect(lines(marks)).toHaveLength(4);
  });

  it('loses and fails nothing when the broker restarts mid-batch', async () => {
    // The harness's short worker timeout (4 s): a claim whose `run` answer is lost in the
    // restart must be released, not taken for a worker death (claim.rabbitmq.test.ts).
    await serve();
    workers = [0, 1, 2].map(() => startWorker(queue, ['--concurrency', '2']));
    const marks = path.join(tempDir(), 'marks');
    const params = Array.from({ length: 60 }, (_, i) => ({
      file: marks,
      tag: `b${i}`,
      seconds: 1,
    }));
    const post = await s.req('POST', '/api/v1/batches', { app: 't-mark', params, maxRetries: 0 });
    const id = post.body.batch.id;
    await until(async () => lines(marks).length >= 10, 60_000, '10 rows started');
    brokerCommand('rabbitmq-down');
    const down = await until(
      async () => {
        const h = (await s.req('GET', '/api/v1/health')).body.backends?.rabbitmq;
        return h && !h.available ? h : undefined;
      },
      20_000,
      'health to say the broker is down'
    );
    expect(down.detail).toMatch(/unreachable/);
    await sleep(2000);
    brokerCommand('rabbitmq-up');
    const done = await waitBatch(s, id, ['completed', 'error'], 180_000);
    expect(done.status).toBe('completed');
    expect(done.counts.completed).toBe(60);
    const all = await rowsOf(s, id, true);
    expect(all.filter(r => r.role === 'task')).toHaveLength(60); // no attempt failed
    const ran = lines(marks);
    expect(new Set(ran).size).toBe(60);
    expect(ran).toHaveLength(60); // none ran twice
  });

  it('--exit-when-idle: workers exit 0 once the queue is drained', async () => {
    await serve();
    workers = [0, 1].map(() => startWorker(queue, ['--exit-when-idle', '2']));
    const post = await s.req('POST', '/api/v1/batches', {
      app: 't-echo',
      params: Array.from({ length: 10 }, (_, i) => ({ msg: `m${i}` })),
    });
    const done = await waitBatch(s, post.body.batch.id, ['completed', 'error'], 60_000);
    expect(done.status).toBe('completed');
    // Bounded by the test's timeout: a worker that never exits fails it.
    expect(await Promise.all(workers.map(w => w.exited))).toEqual([0, 0]);
  });
});

function processesMatching(text: string): boolean {
  try {
    const out = execFileSync('pgrep', ['-f', text], { encoding: 'utf8' });
    return out.trim().length > 0;
  } catch {
    return false; // pgrep exits 1 when nothing matches
  }
}
