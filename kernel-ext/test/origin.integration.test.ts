/**
 * Origin checks (server/origin.ts): a browser page of another site may not change state or
 * open the event stream, whatever credentials its requests carry; pages of the server's own
 * origin, listed origins, and clients that send no Origin (CLI, Python, curl) may.
 */
import * as http from 'http';
import WebSocket from 'ws';
import { startTestServer, type TestServer } from './helpers/server';

const EVIL = 'http://evil.example';

/** A raw request, so the Origin and Host headers are exactly the test's. */
function raw(
  url: string,
  method: string,
  p: string,
  headers: Record<string, string>
): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url + p, { method, headers }, res => {
      let text = '';
      res.on('data', d => (text += d));
      res.on('end', () => {
        let body: any = text;
        try {
          body = JSON.parse(text);
        } catch {
          // keep the text
        }
        resolve({ status: res.statusCode!, body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** The WebSocket handshake's outcome: 'open', or the HTTP status it was refused with. */
function handshake(
  url: string,
  token: string,
  headers: Record<string, string>
): Promise<string | number> {
  return new Promise(resolve => {
    const ws = new WebSocket(
      `${url.replace(/^http/, 'ws')}/api/v1/events?token=${token}&format=json`,
      {
        headers,
      }
    );
    ws.once('open', () => {
      ws.close();
      resolve('open');
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode!);
      res.resume();
    });
    ws.once('error', () => resolve('error'));
  });
}

let s: TestServer;
let own: string;
beforeAll(async () => {
  s = await startTestServer({
    config: { server: { allowedOrigins: ['https://lab.example.org'] } },
  });
  own = s.url; // http://127.0.0.1:PORT: what the browser sends as Origin for a page served here
});
afterAll(() => s.close());

async function sleepingBatch(): Promise<string> {
  const r = await s.req('POST', '/api/v1/batches', {
    app: 't-sleep',
    params: [{ seconds: 30 }],
  });
  expect(r.status).toBe(202);
  return r.body.batch.id;
}

describe('state-changing requests', () => {
  test('a body-less cancel from a foreign page is 403 forbidden_origin, with a valid token, and changes nothing', async () => {
    const id = await sleepingBatch();
    const r = await raw(s.url, 'POST', `/api/v1/batches/${id}/cancel?token=${s.token}`, {
      Origin: EVIL,
    });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('forbidden_origin');
    expect(r.body.error.message).toContain(EVIL);
    expect(r.body.error.message).toContain('server.allowedOrigins');
    const b = await s.req('GET', `/api/v1/batches/${id}`);
    expect(b.body.cancelled ?? null).toBeNull();
    expect(['queued', 'running']).toContain(b.body.status);
    await s.req('POST', `/api/v1/batches/${id}/cancel`);
  });

  test('the server’s own origin, a listed origin and no Origin at all may cancel', async () => {
    for (const headers of [
      { Origin: own },
      { Origin: 'https://LAB.example.org/' },
      {} as Record<string, string>,
    ]) {
      const id = await sleepingBatch();
      const r = await raw(s.url, 'POST', `/api/v1/batches/${id}/cancel?token=${s.token}`, headers);
      expect([JSON.stringify(headers), r.status]).toEqual([JSON.stringify(headers), 200]);
    }
  });

  test('a proxy’s forwarded host and scheme name the origin the page was served from', async () => {
    const id = await sleepingBatch();
    const forwarded = { 'X-Forwarded-Host': 'hub.example.org', 'X-Forwarded-Proto': 'https' };
    const ok = await raw(s.url, 'POST', `/api/v1/batches/${id}/cancel?token=${s.token}`, {
      ...forwarded,
      Origin: 'https://hub.example.org',
    });
    expect(ok.status).toBe(200);
    // The same host over another scheme is another origin.
    const other = await raw(s.url, 'POST', `/api/v1/jobs/retry?token=${s.token}`, {
      ...forwarded,
      Origin: 'http://hub.example.org',
    });
    expect(other.status).toBe(403);
  });

  test('reads are not refused (a foreign page cannot read the answer without CORS)', async () => {
    const r = await raw(s.url, 'GET', `/api/v1/batches?token=${s.token}`, { Origin: EVIL });
    expect(r.status).toBe(200);
  });

  test('a foreign origin is refused before the token is looked at', async () => {
    const r = await raw(s.url, 'POST', `/api/v1/batches/x/cancel?token=wrong`, { Origin: EVIL });
    expect([r.status, r.body]).toEqual([
      403,
      { error: expect.objectContaining({ code: 'forbidden_origin' }) },
    ]);
  });
});

describe('the event stream', () => {
  test('a handshake from a foreign page is refused with 403', async () => {
    expect(await handshake(s.url, s.token, { Origin: EVIL })).toBe(403);
    expect(await handshake(s.url, s.token, { Origin: 'null' })).toBe(403);
  });

  test('the server’s own origin, a listed origin and no Origin connect', async () => {
    expect(await handshake(s.url, s.token, { Origin: own })).toBe('open');
    expect(await handshake(s.url, s.token, { Origin: 'https://lab.example.org' })).toBe('open');
    expect(await handshake(s.url, s.token, {})).toBe('open');
  });
});

test('a config whose allowedOrigins is not a list of strings stops the start, saying so', async () => {
  await expect(
    startTestServer({ config: { server: { allowedOrigins: 'https://x.example' } } })
  ).rejects.toThrow(/server\.allowedOrigins .* list of strings/);
});
