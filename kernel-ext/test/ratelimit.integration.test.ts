/** Requests beyond the per-user limit get 429 rate_limited; other users are not affected. */
import { startTestServer, type TestServer } from './helpers/server';

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
