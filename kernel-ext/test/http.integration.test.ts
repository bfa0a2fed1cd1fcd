/** The HTTP boundary: request bodies as clients really send them, and the rate limit. */
import { startTestServer, type TestServer } from './helpers/server';

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
    const post = await s.req('POST', '/api/v1/batches', { app: 't-sleep', params: [{ seconds: 30 }] });
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

  test('malformed JSON and prototype poisoning are 400 invalid_request', async () => {
    const bad = await raw('POST', '/api/v1/batches', '{"app": ');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_request');
    const proto = await raw('POST', '/api/v1/batches', '{"__proto__": {"admin": true}}');
    expect(proto.status).toBe(400);
    expect(proto.body.error.code).toBe('invalid_request');
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
    expect(r.body.error.message).toMatch(/^Too many requests: at most 3 per 1 minute; retry in \d+ s$/);
    // Limits are per user: bob still gets through.
    expect((await s.req('GET', '/api/v1/apps', undefined, 'test-token-bob')).status).toBe(200);
  });

  test('requests without a valid token are 401, not counted against anyone', async () => {
    const r = await s.req('GET', '/api/v1/apps', undefined, 'nope');
    expect(r.status).toBe(401);
  });
});
