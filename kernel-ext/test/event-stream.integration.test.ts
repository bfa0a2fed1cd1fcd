/**
 * The event stream under a client that stops reading (server/ws.ts): it is sent `reset`
 * once its unsent bytes pass the cap and nothing more until it drains, while the other
 * clients get every event; after the reset it receives live events again.
 */
import WebSocket from 'ws';
import { startTestServer, until, WsClient, type TestServer } from './helpers/server';

// Above what one cancel chunk publishes (about 130 KB), far below the 30,000 events.
const CAP = 1024 * 1024;
const ROWS = 30000;

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ config: { eventBufferBytes: CAP } });
});
afterAll(() => s.close());

test('a client that stops reading is reset and the others see every event', async () => {
  const fast = new WsClient(s.url, s.token);
  await fast.opened;
  fast.send({ type: 'subscribe' });

  const slowMessages: any[] = [];
  const slow = new WebSocket(
    `${s.url.replace(/^http/, 'ws')}/api/v1/events?token=${s.token}&format=json`
  );
  slow.on('message', d => slowMessages.push(JSON.parse(d.toString())));
  await new Promise(r => slow.once('open', r));
  slow.send(JSON.stringify({ type: 'subscribe' }));
  await until(async () => slowMessages.length > 0, 5000, 'hello');
  // Stop reading: the server's send queue for this client grows from here on.
  (slow as any)._socket.pause();

  const made = await s.req('POST', '/api/v1/batches', {
    app: 't-sleep',
    params: Array.from({ length: ROWS }, () => ({ seconds: 60 })),
    maxParallel: 1,
  });
  expect(made.status).toBe(202);
  const id = made.body.batch.id;
  const rows = new Set<string>(made.body.jobIds);
  await until(
    async () => {
      const c = (await s.req('GET', `/api/v1/batches/${id}`)).body.counts;
      return c.created + c.queued + c.running === ROWS;
    },
    30000,
    'rows recorded'
  );
  expect((await s.req('POST', `/api/v1/batches/${id}/cancel`)).status).toBe(200);

  const ended = new Set<string>();
  let seen = 0;
  const terminal = () => {
    for (; seen < fast.messages.length; seen++) {
      const m = fast.messages[seen];
      if (m.type === 'job' && rows.has(m.job.id) && m.job.status === 'terminated')
        ended.add(m.job.id);
    }
    return ended;
  };
  await until(
    async () => terminal().size === ROWS,
    60000,
    'every row terminated on the fast client'
  );
  expect(fast.messages.some(m => m.type === 'reset')).toBe(false);

  (slow as any)._socket.resume();
  await until(
    async () => slowMessages.some(m => m.type === 'reset'),
    10000,
    'reset on the slow client'
  );
  const slowTerminal = slowMessages.filter(
    m => m.type === 'job' && m.job?.status === 'terminated'
  ).length;
  expect(slowTerminal).toBeLessThan(ROWS);

  // Drained, it follows live events again.
  const after = slowMessages.length;
  const job = await s.req('POST', '/api/v1/jobs', { app: 't-sleep', params: { seconds: 0 } });
  await until(
    async () =>
      slowMessages.slice(after).some(m => m.type === 'job' && m.job?.id === job.body.job.id),
    10000,
    'a live event after the reset'
  );
  slow.close();
  fast.close();
}, 90000);
