/** Test harness: a real server on a temp data dir (in-process or as a child process), a REST client and a WebSocket client. */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../../src/server';
import { SERVER_NODE_FLAGS } from '../../src/server/node-flags';

export const TEST_APPS = path.join(__dirname, '..', 'fixtures', 'apps');
export const KERNEL_EXT = path.join(__dirname, '..', '..');

export function tempDir(prefix = 'bulkrun-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface Client {
  url: string;
  token: string;
  req(method: string, p: string, body?: unknown, token?: string): Promise<{ status: number; body: any }>;
}

export function client(url: string, token: string): Client {
  return {
    url,
    token,
    async req(method, p, body, tok) {
      const res = await fetch(url + p, {
        method,
        headers: {
          authorization: `token ${tok ?? token}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: any = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // keep text
      }
      return { status: res.status, body: parsed };
    },
  };
}

export interface TestServer extends Client {
  server: RunningServer;
  dataDir: string;
  close(): Promise<void>;
}

export async function startTestServer(
  extra: { config?: object; dataDir?: string; token?: string } = {}
): Promise<TestServer> {
  const dataDir = extra.dataDir ?? tempDir();
  const token = extra.token ?? 'test-token-alice';
  const config = {
    users: [
      { token, user: 'alice' },
      { token: 'test-token-bob', user: 'bob' },
      { token: 'test-token-root', user: 'root-admin', admin: true },
    ],
    ...(extra.config ?? {}),
  };
  const configFile = path.join(dataDir, 'config.json');
  fs.writeFileSync(configFile, JSON.stringify(config));
  const server = await startServer({ port: 0, dataDir, apps: [TEST_APPS], configFile, logLevel: 'warn' });
  const c = client(server.url, token);
  return { ...c, server, dataDir, close: () => server.close() };
}

const spawnedLogs = new WeakMap<ChildProcess, () => string>();

/** What a server of spawnServer wrote to stderr so far (its warnings and errors). */
export function spawnedLog(child: ChildProcess): string {
  return spawnedLogs.get(child)?.() ?? '';
}

/** The compiled server as a separate process (for kill -9 tests). Needs `npm run build`. */
export async function spawnServer(dataDir: string, port: number, config: object): Promise<ChildProcess> {
  const dist = path.join(KERNEL_EXT, 'dist', 'server', 'index.js');
  if (!fs.existsSync(dist)) throw new Error(`${dist} is missing: run "npm run build:server" first`);
  const configFile = path.join(dataDir, 'config.json');
  fs.writeFileSync(configFile, JSON.stringify(config));
  const opts = { port, dataDir, apps: [TEST_APPS], configFile, logLevel: 'warn' };
  const argv = [...SERVER_NODE_FLAGS, path.join(__dirname, 'serve-child.js'), JSON.stringify(opts)];
  const child = spawn(process.execPath, argv, {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', d => (err += d));
  spawnedLogs.set(child, () => err);
  const deadline = Date.now() + 20000;
  while (Date.now() < deadline) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/`);
      if (r.ok) return child;
    } catch {
      // not yet
    }
    if (child.exitCode !== null) throw new Error(`server exited: ${err}`);
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`server did not start: ${err}`);
}

/**
 * A port for a server that must come back on the same port after kill -9: below the
 * kernel's ephemeral range (32768+), where an outgoing connection could be holding it.
 */
export function stablePort(): number {
  return 20000 + Math.floor(Math.random() * 12000);
}

export const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** Polls fn until it returns a truthy value (tests only; the product never polls the API). */
export async function until<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs = 20000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const v = await fn();
    if (v) return v as T;
    last = v;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}

export async function waitBatch(c: Client, id: string, statuses: string[], timeoutMs = 30000): Promise<any> {
  return until(
    async () => {
      const r = await c.req('GET', `/api/v1/batches/${id}`);
      return statuses.includes(r.body.status) ? r.body : undefined;
    },
    timeoutMs,
    `batch ${id} to reach ${statuses.join('|')}`
  );
}

export async function waitJob(c: Client, id: string, statuses: string[], timeoutMs = 30000): Promise<any> {
  return until(
    async () => {
      const r = await c.req('GET', `/api/v1/jobs/${id}`);
      return statuses.includes(r.body.status) ? r.body : undefined;
    },
    timeoutMs,
    `job ${id} to reach ${statuses.join('|')}`
  );
}

export class WsClient {
  readonly messages: any[] = [];
  private ws: WebSocket;
  readonly opened: Promise<void>;

  constructor(url: string, token: string, json = true) {
    const u = url.replace(/^http/, 'ws') + `/api/v1/events?token=${token}` + (json ? '&format=json' : '');
    this.ws = new WebSocket(u);
    this.ws.on('message', (d, isBinary) => {
      if (isBinary) {
        const { unpack } = require('msgpackr');
        this.messages.push(unpack(d as Buffer));
      } else this.messages.push(JSON.parse(d.toString()));
    });
    this.opened = new Promise((res, rej) => {
      this.ws.once('open', () => res());
      this.ws.once('error', rej);
    });
  }

  send(msg: object): void {
    this.ws.send(JSON.stringify(msg));
  }

  async waitFor(pred: (m: any) => boolean, timeoutMs = 20000): Promise<any> {
    return until(async () => this.messages.find(pred), timeoutMs, 'websocket message');
  }

  close(): void {
    this.ws.close();
  }
}
