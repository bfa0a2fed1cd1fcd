/**
 * The frame: the extension loads in JupyterLab, and the Bulkrun server answers at
 * /bulkrun/ through Jupyter's proxy, only for requests carrying Jupyter credentials.
 */
import { expect, test } from '@jupyterlab/galata';
import { request as playwrightRequest } from '@playwright/test';
import * as fs from 'fs';
import * as http from 'http';
import NodeWebSocket from 'ws';

const PLUGIN_ID = 'jupyterlab-bulkrun:plugin';
const HEALTH = '/bulkrun/api/v1/health';

/** A request context with no Jupyter token or cookie (the runner would add the config's). */
function anonymousContext(baseURL: string | undefined) {
  return playwrightRequest.newContext({
    baseURL,
    extraHTTPHeaders: {},
    storageState: { cookies: [], origins: [] },
  });
}

/** How a Node WebSocket handshake to the proxied events stream ends: opened, or refused with its status. */
function eventsHandshake(
  baseURL: string | undefined,
  options: NodeWebSocket.ClientOptions = {}
): Promise<string> {
  const url = new URL('/bulkrun/api/v1/events?format=json', baseURL);
  url.protocol = 'ws:';
  return new Promise<string>(resolve => {
    const ws = new NodeWebSocket(url.toString(), options);
    ws.on('unexpected-response', (_req, res) => {
      resolve(`refused ${res.statusCode}`);
      ws.terminate();
    });
    ws.on('open', () => {
      resolve('opened');
      ws.close();
    });
    ws.on('error', err => resolve(`error ${err.message}`));
  });
}

/** The --unix-socket of the Bulkrun server the test Jupyter started (found by its data dir). */
function serverSocket(): string | null {
  const dataDir = process.env.BULKRUN_UI_DATA_DIR;
  for (const pid of fs.readdirSync('/proc').filter(p => /^\d+$/.test(p))) {
    let argv: string[];
    try {
      argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // the process ended meanwhile
    }
    const at = argv.indexOf('--unix-socket');
    if (argv.includes('serve') && at >= 0 && argv[argv.indexOf('--data-dir') + 1] === dataDir) {
      return argv[at + 1];
    }
  }
  return null;
}

/** Status of GET path straight on the server's socket, bypassing Jupyter. */
function statusOnSocket(socketPath: string, path: string, token?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers = token ? { Authorization: `token ${token}` } : undefined;
    http
      .get({ socketPath, path, headers }, res => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .on('error', reject);
  });
}

test.describe('frame', () => {
  test('the extension plugin is registered and activated', async ({ page }) => {
    const state = await page.evaluate(id => {
      const app = (window as any).jupyterapp;
      return { has: app.hasPlugin(id), active: app.isPluginActivated(id) };
    }, PLUGIN_ID);
    expect(state).toEqual({ has: true, active: true });
  });

  test('Help → Bulkrun user guide opens the guide with its screenshots', async ({ page }) => {
    await page.menu.clickMenuItem('Help>Bulkrun user guide');
    const guide = page.locator('.jp-Bulkrun-guide');
    await expect(guide.locator('h1')).toHaveText('Bulkrun user guide');
    const img = guide.locator('img').first();
    await expect(img).toBeVisible();
    await expect
      .poll(() => img.evaluate(el => (el as HTMLImageElement).naturalWidth))
      .toBeGreaterThan(0);
  });

  test('health answers through Jupyter with Jupyter credentials', async ({ page }) => {
    // The page's request context carries the test server's Jupyter token.
    const response = await page.request.get(HEALTH);
    expect(response.status()).toBe(200);
    const body = await response.json();
    expect(body.ok).toBe(true);
    expect(typeof body.version).toBe('string');
  });

  test('snapshot answers keep their event seq header through the proxy', async ({ page }) => {
    // The views pair a listing with the event stream by this header (bulkrun-seq).
    const response = await page.request.get('/bulkrun/api/v1/batches');
    expect(response.status()).toBe(200);
    expect(response.headers()['bulkrun-seq']).toMatch(/^\d+$/);
  });

  test('a request without Jupyter credentials is refused', async ({ baseURL }) => {
    const anonymous = await anonymousContext(baseURL);
    try {
      const response = await anonymous.get(HEALTH, { maxRedirects: 0 });
      // GET without auth: Jupyter redirects to its login page; other methods get 403.
      expect([302, 403]).toContain(response.status());
      if (response.status() === 302) {
        expect(response.headers()['location']).toContain('/login');
      }
      const post = await anonymous.post('/bulkrun/api/v1/jobs', {
        data: { app: 'echo', params: {} },
        maxRedirects: 0,
      });
      expect(post.status()).toBe(403);
    } finally {
      await anonymous.dispose();
    }
  });

  test('the events WebSocket connects through the proxy from the page', async ({ page }) => {
    // The browser sends only Jupyter's cookie; the proxy adds the server token.
    // (window.WebSocket: the module import of `ws` would shadow the name when compiled.)
    const first = await page.evaluate(async path => {
      const url = new URL(path, window.location.href);
      url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
      return await new Promise<string>((resolve, reject) => {
        const ws = new window.WebSocket(url.toString());
        const timer = setTimeout(() => reject(new Error('no message within 10 s')), 10000);
        ws.onmessage = ev => {
          clearTimeout(timer);
          ws.close();
          resolve(typeof ev.data === 'string' ? ev.data : '<binary>');
        };
        ws.onerror = () => reject(new Error('WebSocket error'));
      });
    }, '/bulkrun/api/v1/events?format=json');
    expect(JSON.parse(first).type).toBe('hello');
  });

  test('the events WebSocket without Jupyter credentials is refused', async ({ baseURL }) => {
    expect(await eventsHandshake(baseURL)).toBe('refused 403');
  });

  test('a foreign page cannot cancel or open the stream through the proxy with the user’s cookie', async ({
    page,
    baseURL,
  }) => {
    // What a page on another site can make the browser send: the user's Jupyter cookie and
    // its own Origin, no token. jupyter-server-proxy leaves XSRF to the proxied app and adds
    // the server's token, so for requests Bulkrun's Origin check is what refuses
    // (server/origin.ts); for the WebSocket, Jupyter's own origin check refuses first.
    await page.goto('');
    const cookie = (await page.context().cookies()).map(c => `${c.name}=${c.value}`).join('; ');
    expect(cookie).not.toBe('');
    const made = await page.request.post('/bulkrun/api/v1/jobs', {
      data: { app: 'demo-sleep', params: { seconds: 30 } },
    });
    expect(made.status()).toBe(202);
    const id = (await made.json()).job.id;
    const browser = await anonymousContext(baseURL);
    try {
      const foreign = await browser.post(`/bulkrun/api/v1/jobs/${id}/cancel`, {
        headers: { Cookie: cookie, Origin: 'http://evil.example' },
        maxRedirects: 0,
      });
      expect(foreign.status()).toBe(403);
      expect((await foreign.json()).error.code).toBe('forbidden_origin');
      expect((await (await page.request.get(`/bulkrun/api/v1/jobs/${id}`)).json()).status).not.toBe(
        'terminated'
      );
      // The page's own origin (what the browser sends with the cell's requests) may: the
      // proxy passes the browser's Host on, so the server knows the origin it is served from.
      const own = await browser.post(`/bulkrun/api/v1/jobs/${id}/cancel`, {
        headers: { Cookie: cookie, Origin: new URL(baseURL!).origin },
        data: {},
        maxRedirects: 0,
      });
      expect(`${own.status()} ${await own.text()}`).toMatch(/^200 .*"status":"terminated"/);
    } finally {
      await browser.dispose();
    }
    const handshake = (origin: string) =>
      eventsHandshake(baseURL, { headers: { Cookie: cookie }, origin });
    expect(await handshake('http://evil.example')).toBe('refused 403');
    expect(await handshake(new URL(baseURL!).origin)).toBe('opened');
  });

  test('the server itself refuses requests without its own token', async ({ page }) => {
    // Start it (first proxied request), then go around Jupyter to its socket.
    expect((await page.request.get(HEALTH)).status()).toBe(200);
    const socketPath = serverSocket();
    expect(socketPath).not.toBeNull();
    expect(await statusOnSocket(socketPath!, '/api/v1/health')).toBe(401);
    expect(await statusOnSocket(socketPath!, '/api/v1/health', 'not-the-token')).toBe(401);
  });
});
