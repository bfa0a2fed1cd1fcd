/**
 * startServer: config → store → apps → backends → engine → HTTP (REST) + WebSocket.
 * State lives in the data dir; every start restores it (re-attaching to running jobs).
 */
import rateLimit from '@fastify/rate-limit';
import Fastify from 'fastify';
import * as fs from 'fs';
import * as path from 'path';
import pino from 'pino';
import { AppRegistry } from '../apps/registry';
import type { Backend } from '../backends/base';
import { Engine } from '../engine/engine';
import { Reaper } from '../engine/reaper';
import { ApiError } from '../protocol/errors';
import { Store } from '../store';
import { Auth } from './auth';
import { createBackends } from './backends';
import { loadConfig, type ServeOptions } from './config';
import { frameworkError, registerErrorHandling } from './errors';
import { registerRoutes } from './routes';
import { watchIdle } from './idle';
import { InstanceLock, liveLeases, removeConnection, writeConnection } from './instance';
import { LoopLagMonitor } from './loop-lag';
import { registerOriginCheck } from './origin';
import { createEventSocket } from './ws';

export type { ServeOptions } from './config';

export const VERSION: string = require('../../package.json').version;

export interface RunningServer {
  url: string;
  engine: Engine;
  /** Resolves when the idle limit (ServeOptions.idleExit) is reached; never without one. */
  whenIdle: Promise<void>;
  close(): Promise<void>;
}

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const config = loadConfig(opts);
  const logDest = pino.destination(2);
  // The log may sit on the data dir's disk (bulkrun attach): a full disk loses log lines,
  // never the server (docs/SEMANTICS.md "A full disk").
  logDest.on('error', () => {});
  const log = pino({ level: config.logLevel, base: { name: 'bulkrun' } }, logDest);
  const dataDir = config.engine.dataDir;
  fs.mkdirSync(dataDir, { recursive: true });
  // One server per data dir: a second one would submit every job again.
  const lock = InstanceLock.acquire(dataDir);
  let store: Store;
  try {
    store = Store.open(path.join(dataDir, 'bulkrun.db'));
  } catch (err) {
    lock.release();
    throw err;
  }
  const apps = AppRegistry.load(config.apps, log);
  const backends: Map<string, Backend> = createBackends(config.backends, log);
  if (!backends.has(config.engine.defaultBackend)) {
    throw new Error(
      `Default backend '${config.engine.defaultBackend}' is not configured (have: ${[...backends.keys()].join(', ')})`
    );
  }

  const app = Fastify({
    logger: false,
    bodyLimit: config.bodyLimitBytes,
    routerOptions: { maxParamLength: 200 },
    frameworkErrors: frameworkError,
  });
  // An empty body sent as application/json (common for POST …/cancel) is no body, not
  // malformed JSON; anything else goes to Fastify's own (prototype-poisoning-safe) parser.
  const jsonParser = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) =>
    body === '' ? done(null, undefined) : jsonParser(req, body as string, done)
  );
  const engine = new Engine({ store, apps, backends, config: config.engine, log });
  let lastRequestAt = Date.now();
  const auth = new Auth(config.users, store, new Set(config.engine.admins));
  if (config.users.length === 0) {
    log.warn(
      'no tokens configured (--token, BULKRUN_SERVER_TOKEN or users in the config): only job tokens will work'
    );
  }

  // State changes at debug: one line each.
  engine.bus.subscribe(events => {
    if (!log.isLevelEnabled('debug')) return;
    for (const e of events)
      if (e.event.type === 'job') log.debug({ job: e.event.job, seq: e.event.seq }, 'job state');
  });

  app.get('/', async () => ({ name: 'bulkrun', version: VERSION }));
  // Before auth: a foreign page's request is refused whatever token comes with it.
  registerOriginCheck(app, config.allowedOrigins);
  app.addHook('onRequest', async req => {
    lastRequestAt = Date.now();
    if (req.url === '/' || req.url.startsWith('/?')) return;
    const actor = auth.resolve(
      Auth.tokenFrom(req.headers.authorization, (req.query as any)?.token)
    );
    if (!actor) {
      throw new ApiError(
        'unauthorized',
        'Missing or invalid token: send "Authorization: token <T>" or ?token=<T>'
      );
    }
    req.actor = actor;
  });
  registerErrorHandling(app, log, engine.storage);
  if (config.rateLimit) {
    const { max, timeWindowMs } = config.rateLimit;
    // After auth (preHandler), so the limit is per user, not per proxy address.
    await app.register(rateLimit, {
      hook: 'preHandler',
      max,
      timeWindow: timeWindowMs,
      keyGenerator: req => req.actor?.user ?? req.ip,
      errorResponseBuilder: (_req, ctx) =>
        new ApiError(
          'rate_limited',
          `Too many requests: at most ${ctx.max} per ${ctx.after}; retry in ${Math.ceil(ctx.ttl / 1000)} s`
        ),
    });
  }
  const loop = new LoopLagMonitor();
  loop.start();
  registerRoutes(app, engine, VERSION, loop);
  const sockets = createEventSocket(engine, auth, {
    allowedOrigins: config.allowedOrigins,
    maxBufferedBytes: config.eventBufferBytes,
  });
  app.server.on('upgrade', (req, socket, head) => sockets.handleUpgrade(req, socket, head));

  const url = await listenUrl(app, config);
  // Jobs reach the server at the address it actually listens on, unless configured.
  config.engine.publicUrl ||= url;
  await engine.start();
  const reaper = new Reaper(engine);
  reaper.start();
  await app.ready();
  // Clients on this machine find the server (and its token) here: docs/SERVER.md.
  writeConnection(dataDir, {
    pid: process.pid,
    url,
    dataDir,
    version: VERSION,
    startedAt: new Date().toISOString(),
    token: config.ownerToken,
  });
  log.info({ url, dataDir, backends: [...backends.keys()] }, 'bulkrun server ready');

  let idle = { stop() {} };
  const whenIdle = new Promise<void>(resolve => {
    if (!config.idleExitMs) return;
    idle = watchIdle(
      config.idleExitMs,
      {
        hasUnfinishedWork: () => store.jobs.hasUnfinished(),
        attached: () => liveLeases(dataDir).length,
        clients: () => sockets.clientCount(),
        lastRequestAt: () => lastRequestAt,
      },
      () => {
        log.info({ idleExitMs: config.idleExitMs }, 'nothing left to manage: stopping (idle exit)');
        resolve();
      }
    );
  });

  return {
    url,
    engine,
    whenIdle,
    async close() {
      idle.stop();
      removeConnection(dataDir);
      reaper.stop();
      sockets.close();
      loop.stop();
      await app.close();
      await engine.stop();
      store.close();
      lock.release();
    },
  };
}

async function listenUrl(
  app: ReturnType<typeof Fastify>,
  config: ReturnType<typeof loadConfig>
): Promise<string> {
  if (config.unixSocket) {
    try {
      fs.unlinkSync(config.unixSocket);
    } catch {
      // No stale socket.
    }
    await app.listen({ path: config.unixSocket });
    fs.chmodSync(config.unixSocket, 0o600);
    return `unix:${config.unixSocket}`;
  }
  await app.listen({ host: config.host, port: config.port });
  const addr = app.server.address();
  if (addr && typeof addr === 'object')
    return `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${addr.port}`;
  return `http://${config.host}:${config.port}`;
}
