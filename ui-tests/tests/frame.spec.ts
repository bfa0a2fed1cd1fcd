/**
 * The frame: the extension loads in JupyterLab, and the Bulkrun server answers at
 * /bulkrun/ through Jupyter's proxy, only for requests carrying Jupyter credentials.
 */
import { expect, test } from '@jupyterlab/galata';
import { request as playwrightRequest } from '@playwright/test';
import WebSocket from 'ws';

const PLUGIN_ID = 'jupyterlab-bulkrun:plugin';
const HEALTH = '/bulkrun/api/v1/health';

test.describe('frame', () => {
  test('the extension plugin is registered and activated', async ({ page }) => {
    const state = await page.evaluate(id => {
      const app = (window as any).jupyterapp;
      return { has: app.hasPlugin(id), active: app.isPluginActivated(id) };
    }, PLUGIN_ID);
    expect(state).toEqual({ has: true, active: true });
  });

  test('health answers through Jupyter with Jupyter credentials', async ({ page }) => {
    // The page's request context carries the test server's Jupyter token.
    const response = await page.request.get(HEALTH);
    expect(response.status()).toBe(200);
    const body = await response.json();
    expect(body.ok).toBe(true);
    expect(typeof body.version).toBe('string');
  });

  test('a request without Jupyter credentials is refused', async ({ baseURL }) => {
    const anonymous = await playwrightRequest.newContext({ baseURL });
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
    const first = await page.evaluate(async path => {
      const url = new URL(path, window.location.href);
      url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
      return await new Promise<string>((resolve, reject) => {
        const ws = new WebSocket(url.toString());
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
    const url = new URL('/bulkrun/api/v1/events?format=json', baseURL);
    url.protocol = 'ws:';
    const outcome = await new Promise<string>(resolve => {
      const ws = new WebSocket(url.toString());
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
    expect(outcome).toBe('refused 403');
  });
});
