/**
 * Shared by the benchmarks: the compiled Bulkrun server in its own process (as in
 * production: the client does not share its event loop, and its RSS is its own), a REST
 * client, and its structured log lines.
 */
const { spawn } = require('child_process');
const fs = require('fs');
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
    [path.join(ROOT, 'kernel-ext', 'test', 'helpers', 'serve-child.js'), JSON.stringify(opts)],
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

module.exports = { ROOT, TOKEN, arg, childServer, eventStream, quantiles };
