/**
 * Shared by the benchmarks: the compiled Bulkrun server in its own process (as in
 * production: the client does not share its event loop, and its RSS is its own), a REST
 * client, and its structured log lines.
 */
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.join(__dirname, '..');
const TOKEN = 'bench-token';

/**
 * Starts a server on a fresh data dir under `baseDir` with `config` (users are added).
 * Returns {url, req(method, path, body) → {status, body}, logs: parsed log records, close()}.
 */
async function childServer(baseDir, config, logLevel = 'warn') {
  fs.mkdirSync(baseDir, { recursive: true });
  const dataDir = fs.mkdtempSync(path.join(baseDir, 'server-'));
  const configFile = path.join(dataDir, 'config.json');
  fs.writeFileSync(
    configFile,
    JSON.stringify({ users: [{ token: TOKEN, user: 'bench' }], ...config })
  );
  // Below the ephemeral port range, so no outgoing connection holds it.
  const port = 20000 + Math.floor(Math.random() * 12000);
  const opts = { port, dataDir, apps: [path.join(__dirname, 'apps')], configFile, logLevel };
  const child = spawn(
    process.execPath,
    [
      ...require(path.join(ROOT, 'kernel-ext', 'dist', 'server', 'node-flags')).SERVER_NODE_FLAGS,
      path.join(ROOT, 'kernel-ext', 'test', 'helpers', 'serve-child.js'),
      JSON.stringify(opts),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] }
  );
  const logs = [];
  let buf = '';
  child.stderr.on('data', d => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      let rec = null;
      try {
        rec = JSON.parse(line);
      } catch {
        // not a log record
      }
      if (rec) logs.push(rec);
      if (!rec || rec.level >= 40) process.stderr.write(line + '\n');
    }
  });
  await new Promise((resolve, reject) => {
    child.stdout.once('data', resolve);
    child.once('exit', code => reject(new Error(`server exited with ${code}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  const req = async (method, p, body) => {
    const r = await fetch(url + p, {
      method,
      headers: {
        authorization: `token ${TOKEN}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body && JSON.stringify(body),
    });
    return { status: r.status, body: await r.json() };
  };
  const close = () => {
    child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  return { url, req, logs, pid: child.pid, close };
}

/** The server's event stream as JSON, subscribed to everything; `onMsg(message, arrivedAt)`. */
function eventStream(url, onMsg) {
  const WebSocket = require('ws');
  return new Promise(resolve => {
    const w = new WebSocket(
      url.replace('http', 'ws') + `/api/v1/events?format=json&token=${TOKEN}`
    );
    w.on('message', d => onMsg(JSON.parse(d.toString()), Date.now()));
    w.on('open', () => {
      w.send(JSON.stringify({ type: 'subscribe' }));
      resolve(w);
    });
  });
}

/** p50/p95/max of a list of numbers. */
function quantiles(values) {
  const v = [...values].sort((a, b) => a - b);
  const q = p => v[Math.min(v.length - 1, Math.floor(p * v.length))];
  return { p50: q(0.5), p95: q(0.95), max: v[v.length - 1] };
}

/** The number after `--name` on the command line, or `def`. */
function arg(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

// ---- Load and soak (bench/load.js, bench/soak.js) -----------------------------------------
// The measuring runs in worker threads of its own: the 50 clients' decoding must not delay
// the health poller's clock, and neither may the bench's own work between requests.

const { Worker, isMainThread, parentPort, workerData } = require('worker_threads');
const timers = require('timers');
const { performance } = require('perf_hooks');

/** The test apps (t-sleep: `sleep {seconds}`), for a server config's `apps`. */
const TEST_APPS = path.join(ROOT, 'kernel-ext', 'test', 'fixtures', 'apps');
const TERMINAL = new Set(['completed', 'error', 'terminated']);

/** VmRSS of a process in kB, or null when it is gone. */
function rssKB(pid) {
  try {
    const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** A bench worker thread of `role` (below): `call(type, msg)` → its answer. */
function benchWorker(role, data) {
  const w = new Worker(path.join(__dirname, 'lib.js'), {
    workerData: { benchRole: role, ...data },
  });
  let next = 0;
  const waiting = new Map();
  w.on('message', m => {
    const p = waiting.get(m.callId);
    if (p) {
      waiting.delete(m.callId);
      p(m);
    }
  });
  w.on('error', e => process.stderr.write(`bench ${role} thread: ${e.stack}\n`));
  const call = (type, msg = {}) =>
    new Promise(resolve => {
      const callId = ++next;
      waiting.set(callId, resolve);
      w.postMessage({ ...msg, type, callId });
    });
  return { call, terminate: () => w.terminate() };
}

/**
 * Samples a server from a thread of its own every `everyMs`: its VmRSS, and GET
 * /api/v1/health over a connection of its own, one request at a time (a stalled server
 * gives one slow answer, not a pile of them). `series()` → {rss: [[t, kB]], health:
 * [[tSent, latencyMs, sinceLastMaxMs, p99Ms, maxMs, p50Ms]]} (health figures null when
 * the request failed); `stop()`.
 */
function monitor(url, pid, everyMs = 100) {
  const w = benchWorker('monitor', { url, pid, everyMs, token: TOKEN });
  return {
    series: async () => {
      const m = await w.call('series');
      return { rss: m.rss, health: m.health };
    },
    stop: async () => {
      await w.call('stop');
      await w.terminate();
    },
  };
}

function monitorThread({ url, pid, everyMs, token }) {
  const http = require('http');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const rss = [];
  const health = [];
  let inFlight = false;
  const poll = () => {
    const t = Date.now();
    const kb = rssKB(pid);
    if (kb !== null) rss.push([t, kb]);
    if (inFlight) return;
    inFlight = true;
    const t0 = performance.now();
    const done = body => {
      inFlight = false;
      const lat = Math.round((performance.now() - t0) * 10) / 10;
      let e = null;
      try {
        e = JSON.parse(body).eventLoop;
      } catch {
        // counted as a failed health request
      }
      health.push(
        e ? [t, lat, e.sinceLastMaxMs, e.p99Ms, e.maxMs, e.p50Ms] : [t, lat, null, null, null, null]
      );
    };
    http
      .get(url + '/api/v1/health', { agent, headers: { authorization: `token ${token}` } }, res => {
        let b = '';
        res.setEncoding('utf8');
        res.on('data', d => (b += d));
        res.on('end', () => done(res.statusCode === 200 ? b : ''));
      })
      .on('error', () => done(''));
  };
  const timer = timers.setInterval(poll, everyMs);
  parentPort.on('message', m => {
    if (m.type === 'series') parentPort.postMessage({ callId: m.callId, rss, health });
    if (m.type === 'stop') {
      timers.clearInterval(timer);
      agent.destroy();
      parentPort.postMessage({ callId: m.callId });
    }
  });
}

/**
 * `n` WebSocket clients of the event stream, subscribed to everything (MessagePack, as the
 * extension's), spread over `threads` worker threads. Each checks that seqs follow one
 * another (a gap is an event lost), counts events and `reset`s (after a reset it
 * subscribes afresh, as src/api/events.ts does, and the next event it gets is its new
 * start), and notes which jobs it saw reach a terminal status.
 *   track(ids): from now on each client waits for a terminal event of every id (one it
 *     saw before the call counts too, if it came after the previous track);
 *   expectCreated(n): each client waits for `n` more job events with status `created`;
 *   wait(timeoutMs) → per client {doneAt, missing, reset}: doneAt = when it had them all,
 *     or got a reset (missing = what it had not seen by the timeout, 0 after a reset);
 *   batchSeen(id) → per client when its first event of batch `id` came (null: none yet);
 *   stats() → per client {events, gaps, lost, dups, resets, errors, closed}.
 */
async function clientPool(url, n, { threads = 1, format = 'msgpack' } = {}) {
  const parts = [];
  for (let k = 0; k < threads; k++) {
    const count = Math.floor(n / threads) + (k < n % threads ? 1 : 0);
    if (count > 0)
      parts.push(benchWorker('clients', { url, count, format, token: TOKEN, first: parts.length }));
  }
  await Promise.all(parts.map(p => p.call('ready')));
  const all = async (type, msg) =>
    (await Promise.all(parts.map(p => p.call(type, msg)))).flatMap(m => m.clients);
  return {
    track: ids => all('track', { ids }),
    expectCreated: count => all('expectCreated', { count }),
    wait: timeoutMs => all('wait', { timeoutMs }),
    batchSeen: id => all('batchSeen', { id }),
    stats: () => all('stats'),
    close: async () => {
      await all('close');
      await Promise.all(parts.map(p => p.terminate()));
    },
  };
}

function clientsThread({ url, count, format, token }) {
  const WebSocket = require('ws');
  const { unpack, pack } = require('msgpackr');
  const json = format === 'json';
  const decode = d => (json ? JSON.parse(d.toString('utf8')) : unpack(d));
  const encode = m => (json ? JSON.stringify(m) : pack(m));
  let tracked = new Map(); // job id → index into each client's `seen`
  let epoch = 0;
  const clients = [];

  const markTerminal = (c, id, t) => {
    const i = tracked.get(id);
    if (i === undefined) {
      c.loose.set(id, epoch);
      return;
    }
    if (!c.seen[i]) {
      c.seen[i] = 1;
      if (--c.remaining === 0 && c.doneAt === null) c.doneAt = t;
    }
  };
  const onMessage = (c, data) => {
    const t = Date.now();
    let m;
    try {
      m = decode(data);
    } catch {
      c.errors++;
      return;
    }
    switch (m.type) {
      case 'hello':
        c.expect = m.seq + 1;
        c.ws.send(encode({ type: 'subscribe', since: m.seq }));
        c.ready();
        return;
      case 'job':
      case 'batch':
        c.events++;
        if (c.expect !== null) {
          if (m.seq > c.expect) {
            c.gaps++;
            c.lost += m.seq - c.expect;
          } else if (m.seq < c.expect) c.dups++;
        }
        if (c.expect === null || m.seq >= c.expect) c.expect = m.seq + 1;
        if (m.type === 'job') {
          if (TERMINAL.has(m.job.status)) markTerminal(c, m.job.id, t);
          else if (m.job.status === 'created' && c.createdLeft > 0) {
            if (--c.createdLeft === 0 && c.doneAt === null) c.doneAt = t;
          }
        } else if (!c.batchFirst.has(m.batch.id)) c.batchFirst.set(m.batch.id, t);
        return;
      case 'reset':
        c.resets++;
        c.expect = null;
        c.ws.send(encode({ type: 'subscribe' }));
        if (!c.resetInPhase) {
          c.resetInPhase = true;
          if (c.doneAt === null) c.doneAt = t;
        }
        return;
      case 'error':
        c.errors++;
        return;
      default:
        return;
    }
  };
  const openAll = Promise.all(
    Array.from({ length: count }, () => {
      const c = {
        ws: null,
        expect: null,
        events: 0,
        gaps: 0,
        lost: 0,
        dups: 0,
        resets: 0,
        errors: 0,
        closed: false,
        seen: new Uint8Array(0),
        remaining: 0,
        createdLeft: 0,
        doneAt: null,
        resetInPhase: false,
        loose: new Map(),
        batchFirst: new Map(),
        ready: null,
      };
      clients.push(c);
      return new Promise((resolve, reject) => {
        c.ready = resolve;
        const suffix = json ? '&format=json' : '';
        c.ws = new WebSocket(url.replace('http', 'ws') + `/api/v1/events?token=${token}${suffix}`);
        c.ws.on('message', d => onMessage(c, d));
        c.ws.on('error', reject);
        c.ws.on('close', () => (c.closed = true));
      });
    })
  );
  const phase = c => {
    c.doneAt = null;
    c.resetInPhase = false;
  };
  const waitAll = (timeoutMs, callId) => {
    const end = Date.now() + timeoutMs;
    const check = () => {
      const done = clients.every(c => c.doneAt !== null);
      if (done || Date.now() >= end) {
        parentPort.postMessage({
          callId,
          clients: clients.map(c => ({
            doneAt: c.doneAt,
            missing: c.resetInPhase ? 0 : c.remaining + c.createdLeft,
            reset: c.resetInPhase,
          })),
        });
      } else timers.setTimeout(check, 10);
    };
    check();
  };
  parentPort.on('message', m => {
    const reply = body => parentPort.postMessage({ callId: m.callId, ...body });
    switch (m.type) {
      case 'ready':
        openAll.then(() => reply({ clients: [] }));
        return;
      case 'track': {
        epoch++;
        tracked = new Map();
        m.ids.forEach((id, i) => tracked.set(id, i));
        for (const c of clients) {
          phase(c);
          c.seen = new Uint8Array(m.ids.length);
          c.remaining = m.ids.length;
          c.createdLeft = 0;
          for (const [id, e] of c.loose) {
            const i = tracked.get(id);
            if (i !== undefined) {
              c.loose.delete(id);
              if (!c.seen[i]) {
                c.seen[i] = 1;
                c.remaining--;
              }
            } else if (e < epoch - 2) c.loose.delete(id);
          }
          if (c.remaining === 0) c.doneAt = Date.now();
          c.batchFirst.clear();
        }
        reply({ clients: [] });
        return;
      }
      case 'expectCreated':
        tracked = new Map();
        for (const c of clients) {
          phase(c);
          c.remaining = 0;
          c.createdLeft = m.count;
        }
        reply({ clients: [] });
        return;
      case 'wait':
        waitAll(m.timeoutMs, m.callId);
        return;
      case 'batchSeen':
        reply({ clients: clients.map(c => c.batchFirst.get(m.id) ?? null) });
        return;
      case 'stats':
        reply({
          clients: clients.map(c => ({
            events: c.events,
            gaps: c.gaps,
            lost: c.lost,
            dups: c.dups,
            resets: c.resets,
            errors: c.errors,
            closed: c.closed,
          })),
        });
        return;
      case 'close':
        for (const c of clients) c.ws.close();
        reply({ clients: [] });
        return;
    }
  });
}

if (!isMainThread && workerData && workerData.benchRole === 'monitor') monitorThread(workerData);
if (!isMainThread && workerData && workerData.benchRole === 'clients') clientsThread(workerData);

/** Median of a list of numbers (null when empty). */
function median(values) {
  if (!values.length) return null;
  const v = [...values].sort((a, b) => a - b);
  return v[Math.floor(v.length / 2)];
}

/** The bench's header lines: the exact command, date, Node, machine and its load. */
function header() {
  const rel = path.relative(process.cwd(), process.argv[1]) || process.argv[1];
  return [
    `command: \`node ${[rel, ...process.argv.slice(2)].join(' ')}\``,
    `date: ${new Date().toISOString()}; node ${process.version}; ${os.cpus().length} CPUs, ` +
      `${Math.round(os.totalmem() / 2 ** 30)} GiB; load average ${os
        .loadavg()
        .map(x => x.toFixed(1))
        .join(' ')}`,
  ];
}

/** The string after `--name` on the command line, or `def`. */
function argStr(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
}

/**
 * A job's exit (the wrapper's record) → its `completed` event on the WebSocket, both on
 * this machine's clock: `jobs` single `bench-true` jobs, 100 ms apart, on a server of
 * its own with `backendConfig` (pollIntervalMs unset: the backend's default).
 */
async function exitLatency(baseDir, backend, backendConfig, jobs) {
  const WebSocket = require('ws');
  const { readExit } = require(path.join(ROOT, 'kernel-ext', 'dist', 'backends', 'workdir'));
  const cfg = Object.fromEntries(Object.entries(backendConfig).filter(([, v]) => v !== undefined));
  const { url, req, close } = await childServer(baseDir, {
    defaultBackend: backend,
    backends: { [backend]: cfg },
  });
  const seen = new Map();
  const w = new WebSocket(url.replace('http', 'ws') + `/api/v1/events?format=json&token=${TOKEN}`);
  w.on('message', d => {
    const m = JSON.parse(d.toString());
    if (m.type === 'job' && m.job.status === 'completed' && !seen.has(m.job.id))
      seen.set(m.job.id, Date.now());
  });
  await new Promise(r => w.on('open', r));
  w.send(JSON.stringify({ type: 'subscribe' }));
  const posted = [];
  const sleep = ms => new Promise(r => setTimeout(r, ms));
  for (let i = 0; i < jobs; i++) {
    const r = await req('POST', '/api/v1/jobs', { app: 'bench-true', backend, params: { i } });
    if (r.status !== 202) throw new Error(JSON.stringify(r.body));
    posted.push(r.body.job);
    await sleep(100);
  }
  const end = Date.now() + 180000;
  while (seen.size < jobs) {
    if (Date.now() > end) throw new Error(`only ${seen.size} of ${jobs} completed`);
    await sleep(50);
  }
  w.close();
  const lat = posted.map(j => seen.get(j.id) - readExit(j.workDir).at.getTime());
  close();
  return {
    pollIntervalMs: cfg.pollIntervalMs ?? null,
    jobReports: cfg.jobReports ?? true,
    ...quantiles(lat),
  };
}

module.exports = {
  exitLatency,
  ROOT,
  TOKEN,
  TEST_APPS,
  TERMINAL,
  arg,
  argStr,
  childServer,
  clientPool,
  eventStream,
  header,
  median,
  monitor,
  quantiles,
  rssKB,
};
