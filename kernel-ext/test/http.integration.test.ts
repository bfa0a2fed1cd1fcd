/** The HTTP boundary: request bodies as clients really send them, and the rate limit. */
import { startTestServer, waitBatch, WsClient, type TestServer } from './helpers/server';

describe('request bodies', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(() => s.close());

  const raw = (method: string, p: string, body: string | undefined, type = 'application/json') =>
    fetch(s.url + p, {
      method,
      headers: { authorization: `token ${s.token}`, 'content-type': type },
      body,
    }).then(async r => ({ status: r.status, body: (await r.json()) as any }));

  test('an empty body sent as application/json is no body (POST …/cancel)', async () => {
    const post = await s.req('POST', '/api/v1/batches', {
      app: 't-sleep',
      params: [{ seconds: 30 }],
    });
    const id = post.body.batch.id;
    const r = await raw('POST', `/api/v1/batches/${id}/cancel`, '');
    expect(r.status).toBe(200);
    expect(r.body.batch.status).toBe('terminated');
  });

  test('an empty batch request says what is missing', async () => {
    const r = await raw('POST', '/api/v1/batches', '');
    expect(r.status).toBe(400);
    expect(r.body.error.message).not.toMatch(/Internal/);
  });

  test('a memory or walltime no backend can read is a 400 naming the field, nothing created', async () => {
    const r = await s.req('POST', '/api/v1/batches', {
      app: 't-echo',
      params: [{ msg: 'a' }],
      resources: { memory: '8 gigs', walltime: '1:75' },
      fanIn: { app: 't-echo', params: { msg: 'f' }, resources: { memory: '0G' } },
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('validation_failed');
    expect(r.body.error.details).toEqual(
      expect.arrayContaining([
        {
          row: null,
          field: 'resources.memory',
          message:
            "is not a memory size: '8 gigs' (use a number with a unit, e.g. 512M, 2G, 1.5GiB)",
        },
        {
          row: null,
          field: 'resources.walltime',
          message: "is not a duration: '1:75' (minutes and seconds must be below 60)",
        },
        {
          row: null,
          field: 'fanIn.resources.memory',
          message: "is not a memory size: '0G' (it must be more than zero)",
        },
      ])
    );
    expect(r.body.error.message).toMatch(
      /^Invalid request: resources\.memory is not a memory size/
    );
    const job = await s.req('POST', '/api/v1/jobs', {
      app: 't-echo',
      params: { msg: 'a' },
      resources: { disk: 'lots' },
    });
    expect(job.status).toBe(400);
    expect(job.body.error.details).toEqual([
      expect.objectContaining({
        field: 'resources.disk',
        message: expect.stringMatching(/^is not a disk size/),
      }),
    ]);
    // The forms the schedulers read are accepted as written.
    const ok = await s.req('POST', '/api/v1/batches', {
      app: 't-echo',
      params: [{ msg: 'a' }],
      resources: { memory: '2GiB', walltime: '1h30m', disk: '10 G' },
    });
    expect(ok.status).toBe(202);
  });

  test('malformed JSON and prototype poisoning are 400 invalid_request', async () => {
    const bad = await raw('POST', '/api/v1/batches', '{"app": ');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_request');
    const proto = await raw('POST', '/api/v1/batches', '{"__proto__": {"admin": true}}');
    expect(proto.status).toBe(400);
    expect(proto.body.error.code).toBe('invalid_request');
  });
});

describe('snapshots name the newest event they reflect', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(() => s.close());

  test('GET a batch and its jobs carry bulkrun-seq; the stream continues after it', async () => {
    const post = await s.req('POST', '/api/v1/batches', {
      app: 't-echo',
      params: [{ msg: 'a' }, { msg: 'b' }],
    });
    const id = post.body.batch.id;
    await waitBatch(s, id, ['completed']);
    const head = async (p: string) => {
      const r = await fetch(s.url + p, { headers: { authorization: `token ${s.token}` } });
      return Number(r.headers.get('bulkrun-seq'));
    };
    const ws = new WsClient(s.url, s.token);
    const hello = await ws.waitFor(m => m.type === 'hello');
    ws.send({ type: 'subscribe', since: 0 });
    const last = await ws.waitFor(m => m.type === 'batch' && m.batch.status === 'completed');
    ws.close();
    // Nothing happens after the batch completed: both answers reflect the newest event.
    expect(await head(`/api/v1/batches/${id}`)).toBe(hello.seq);
    expect(await head(`/api/v1/batches/${id}/jobs`)).toBe(hello.seq);
    expect(last.seq).toBeLessThanOrEqual(hello.seq);
  });
});

describe('limits', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ config: { bodyLimitBytes: 4096, engine: { maxRows: 5 } } });
  });
  afterAll(() => s.close());

  test('more rows than the limit: 400 naming the limit, nothing created', async () => {
    const rows = Array.from({ length: 6 }, (_, i) => ({ msg: `r${i}` }));
    const r = await s.req('POST', '/api/v1/batches', { app: 't-echo', params: rows });
    expect(r.status).toBe(400);
    expect(r.body.error.details[0].message).toBe('has 6 rows; the limit is 5');
    expect((await s.req('GET', '/api/v1/batches')).body.batches).toEqual([]);
  });

  test('a body over the cap: 413 payload_too_large, nothing created', async () => {
    const r = await s.req('POST', '/api/v1/batches', {
      app: 't-echo',
      params: [{ msg: 'x'.repeat(5000) }],
    });
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe('payload_too_large');
    expect((await s.req('GET', '/api/v1/batches')).body.batches).toEqual([]);
  });

  test('paths in ids and app names are not followed', async () => {
    expect((await s.req('GET', '/api/v1/apps/..%2F..%2Fetc%2Fpasswd')).status).toBe(404);
    expect((await s.req('GET', '/api/v1/jobs/..%2Fbulkrun.db/logs')).status).toBe(404);
    const r = await s.req('POST', '/api/v1/jobs', { app: '../t-echo', params: { msg: 'x' } });
    expect(r.status).toBe(400);
  });

  test('a URL the router refuses is answered in the API’s error shape', async () => {
    const long = await s.req('GET', `/api/v1/jobs/${'x'.repeat(300)}`);
    expect([long.status, long.body.error?.code]).toEqual([414, 'uri_too_long']);
    const bad = await s.req('GET', '/api/v1/jobs/%E0%A4%A');
    expect([bad.status, bad.body.error?.code]).toEqual([400, 'invalid_request']);
  });
});

describe('rate limit', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ config: { rateLimit: { max: 3, timeWindowMs: 60_000 } } });
  });
  afterAll(() => s.close());

  test('the fourth request in a window is refused with 429 and says when to retry', async () => {
    for (let i = 0; i < 3; i++) expect((await s.req('GET', '/api/v1/apps')).status).toBe(200);
    const r = await s.req('GET', '/api/v1/apps');
    expect(r.status).toBe(429);
    expect(r.body.error.code).toBe('rate_limited');
    expect(r.body.error.message).toMatch(
      /^Too many requests: at most 3 per 1 minute; retry in \d+ s$/
    );
    // Limits are per user: bob still gets through.
    expect((await s.req('GET', '/api/v1/apps', undefined, 'test-token-bob')).status).toBe(200);
  });

  test('requests without a valid token are 401, not counted against anyone', async () => {
    const r = await s.req('GET', '/api/v1/apps', undefined, 'nope');
    expect(r.status).toBe(401);
  });
});
