/**
 * A claim's `run` answer lost with the worker's broker connection (docs/SEMANTICS.md
 * "Worker pool"): the server granted the job, the worker never received the grant, and the
 * broker gave the delivery to another worker. Two workers here are this test speaking the
 * protocol over the real broker (so the lost answer happens on cue); the one that finally
 * runs the row is a real `bulkrun worker`.
 */
import type { Channel, ConsumeMessage } from 'amqplib';
import * as path from 'path';
import * as fs from 'fs';
import {
  type ClaimReply,
  decode,
  encode,
  names,
  type TaskMessage,
} from '../../src/backends/rabbitmq-protocol';
import { startTestServer, tempDir, type TestServer, until, waitBatch } from '../helpers/server';
import {
  brokerUrl,
  describeRabbit,
  dropQueues,
  rabbitConfig,
  rabbitUp,
  startWorker,
  stopWorkers,
  uniqueQueue,
  type WorkerProc,
} from './harness';

jest.setTimeout(120_000);

beforeAll(() => rabbitUp('lost claim answers'), 300_000);
const queue = uniqueQueue('claim');
afterAll(() => dropQueues([queue]));

/** A hand-driven worker: takes one delivery, claims it, and never runs it. */
async function grantedButLost(worker: string) {
  const amqp = await import('amqplib');
  const conn = await amqp.connect(brokerUrl());
  const ch = await conn.createChannel();
  await ch.prefetch(1);
  const n = names(queue);
  let tag = '';
  const delivery = await new Promise<ConsumeMessage>(resolve => {
    void ch
      .consume(n.tasks, m => m && resolve(m), { noAck: false })
      .then(c => (tag = c.consumerTag));
  });
  const task = decode<TaskMessage>(delivery.content, ['task'])!;
  const claim = () => ask(ch, task, worker);
  const timer = setInterval(() => {
    // Alive, running nothing: the grant never reached it.
    ch.publish(
      n.heartbeats,
      '',
      encode({
        type: 'heartbeat',
        worker,
        host: 'test',
        pid: 1,
        concurrency: 1,
        labels: {},
        jobs: [],
        everySeconds: 1,
      })
    );
  }, 500);
  return {
    task,
    claim,
    /** The delivery returns to the queue, as with a lost connection; heartbeats go on. */
    async drop() {
      await ch.cancel(tag); // not delivered to this one again
      ch.nack(delivery, false, true);
    },
    async close() {
      clearInterval(timer);
      await conn.close().catch(() => undefined);
    },
  };
}

async function ask(ch: Channel, task: TaskMessage, worker: string): Promise<ClaimReply> {
  const replies = await ch.assertQueue('', { exclusive: true, autoDelete: true });
  const correlationId = `${worker}-${Date.now()}-${Math.random()}`;
  const answer = new Promise<ClaimReply>(resolve => {
    void ch.consume(
      replies.queue,
      m =>
        m &&
        m.properties.correlationId === correlationId &&
        resolve(JSON.parse(m.content.toString())),
      { noAck: true }
    );
  });
  ch.publish(
    '',
    task.events,
    encode({
      type: 'claim',
      jobId: task.jobId,
      worker,
      row: `${task.batchId}#${task.index}`,
      redelivered: true,
    }),
    { replyTo: replies.queue, correlationId }
  );
  return answer;
}

describeRabbit('a lost claim answer', () => {
  let s: TestServer;
  let workers: WorkerProc[] = [];

  afterEach(async () => {
    await stopWorkers(workers);
    await s?.close();
  });

  it('is released, not a worker death: the worker that has the delivery runs the row once', async () => {
    s = await startTestServer({ config: rabbitConfig(queue) });
    await until(
      async () => (await s.req('GET', '/api/v1/health')).body.backends?.rabbitmq?.available,
      20_000,
      'broker link'
    );
    const marks = path.join(tempDir(), 'marks');
    const post = await s.req('POST', '/api/v1/batches', {
      app: 't-mark',
      params: [{ file: marks, tag: 'once', seconds: 0 }],
      maxRetries: 0,
    });
    expect(post.status).toBe(202);
    const id = post.body.batch.id;

    // Worker A is granted the row, loses the delivery, and goes on heartbeating without it.
    const a = await grantedButLost('test-worker-a');
    expect((await a.claim()).action).toBe('run');
    await a.drop();
    // Worker B gets the delivery back: A has not shown it runs it, so B waits.
    const b = await grantedButLost('test-worker-b');
    expect(await b.claim()).toMatchObject({ action: 'wait' });
    // A's heartbeats do not list it: the grant lapses (not a death), and B is granted it.
    const t0 = Date.now();
    await until(async () => (await b.claim()).action === 'run', 15_000, 'B to be granted it');
    expect(Date.now() - t0).toBeLessThan(10_000);
    // B loses it too; a real worker gets it, waits out B's grant, runs it.
    await b.drop();
    workers = [startWorker(queue, ['--concurrency', '1'])];
    const done = await waitBatch(s, id, ['completed', 'error'], 60_000);
    await a.close();
    await b.close();
    expect(done.status).toBe('completed');
    const all = (await s.req('GET', `/api/v1/batches/${id}/jobs?attempts=all`)).body.jobs;
    expect(all).toHaveLength(1); // no attempt ended node_failure
    expect(fs.readFileSync(marks, 'utf8').trim().split('\n')).toEqual(['once']);
  });
});
