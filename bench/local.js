#!/usr/bin/env node
/**
 * Local-backend benchmarks, side by side with what a user would otherwise run.
 * Usage: node bench/local.js [--tasks 1000] [--post-rows 10000] [--latency-jobs 200] [--stored 100000]
 * Needs the compiled server (npm run build:server) and GNU parallel (Debian `parallel`).
 */
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { arg, childServer, eventStream: ws } = require('./lib');

const ROOT = path.join(__dirname, '..');
const { startServer } = require(path.join(ROOT, 'kernel-ext', 'dist', 'server'));
const { readExit } = require(path.join(ROOT, 'kernel-ext', 'dist', 'backends', 'workdir'));

const N = arg('tasks', 1000);
const POST_ROWS = arg('post-rows', 10000);
const LAT_JOBS = arg('latency-jobs', 200);
const STORED = arg('stored', 100000);
const TOKEN = 'bench-token';

async function server(extraConfig = {}) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulkrun-bench-'));
  const configFile = path.join(dataDir, 'config.json');
  fs.writeFileSync(
    configFile,
    JSON.stringify({ users: [{ token: TOKEN, user: 'bench' }], ...extraConfig })
  );
  const s = await startServer({
    port: 0,
    dataDir,
    apps: [path.join(__dirname, 'apps')],
    configFile,
    logLevel: 'warn',
  });
  const req = async (method, p, body) => {
    const r = await fetch(s.url + p, {
      method,
      headers: { authorization: `token ${TOKEN}`, 'content-type': 'application/json' },
      body: body && JSON.stringify(body),
    });
    return { status: r.status, body: await r.json() };
  };
  return { s, req, dataDir };
}

/** CPU time (ms) of a process and its reaped children, from /proc: the spawner and its keepers. */
function treeCpuMs(pid) {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * 10;
}

/** The local spawner this process started (a child running spawner.pl). */
function spawnerPid() {
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const ppid = fs.readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ')[1];
      if (Number(ppid) === process.pid && fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('spawner.pl'))
        return p;
    } catch {
      // gone meanwhile
    }
  }
  return null;
}

async function benchTasks() {
  const { s, req } = await server();
  let done;
  const finished = new Promise(r => (done = r));
  let batchId = null;
  const w = await ws(s.url, m => {
    if (
      m.type === 'batch' &&
      m.batch.id === batchId &&
      ['completed', 'error'].includes(m.batch.status)
    )
      done(m.batch);
  });
  // Where the CPU goes: the server's process (this one: the server runs in it) and the
  // spawner with its keepers and their jobs.
  const spawner = spawnerPid();
  const spawnerCpu0 = spawner ? treeCpuMs(spawner) : 0;
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  const r = await req('POST', '/api/v1/batches', {
    app: 'bench-true',
    params: Array.from({ length: N }, (_, i) => ({ i })),
  });
  batchId = r.body.batch.id;
  const b = await finished;
  const bulkrun = Date.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const serverCpuMs = Math.round((cpu.user + cpu.system) / 1000);
  const spawnerTreeCpuMs = spawner ? treeCpuMs(spawner) - spawnerCpu0 : null;
  w.close();
  await s.close();
  if (b.counts.completed !== N) throw new Error(`only ${b.counts.completed} of ${N} completed`);

  const list = Array.from({ length: N }, () => 'true').join('\n') + '\n';
  const tp = Date.now();
  execFileSync('parallel', ['-j2'], { input: list });
  const parallel = Date.now() - tp;
  const tl = Date.now();
  execFileSync('bash', ['-c', `for i in $(seq ${N}); do /bin/true; done`]);
  const loop = Date.now() - tl;
  // The same loop writing what a job leaves on disk (a work dir: claim, logs, exit record),
  // the floor of any runner that can tell after a crash what ran: new directories are
  // this disk's slowest write.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulkrun-bench-records-'));
  const tr = Date.now();
  execFileSync('bash', [
    '-c',
    `for i in $(seq ${N}); do mkdir "$1/$i" && echo "$$ 1" > "$1/$i/claim" && /bin/true > "$1/$i/stdout.log" 2> "$1/$i/stderr.log"; echo "0 1 0" > "$1/$i/exit"; done`,
    'records',
    dir,
  ]);
  const loopWithRecords = Date.now() - tr;
  fs.rmSync(dir, { recursive: true, force: true });
  return { bulkrun, serverCpuMs, spawnerTreeCpuMs, parallel, loop, loopWithRecords };
}

async function benchPost() {
  const { s, req } = await server({ slots: { local: { '*': 0 } } });
  const rows = Array.from({ length: POST_ROWS }, (_, i) => ({ i }));
  await req('POST', '/api/v1/batches', { app: 'bench-true', params: rows.slice(0, 10) }); // warm-up
  const times = [];
  for (let k = 0; k < 3; k++) {
    const t = Date.now();
    const r = await req('POST', '/api/v1/batches', { app: 'bench-true', params: rows });
    if (r.status !== 202) throw new Error(JSON.stringify(r.body));
    times.push(Date.now() - t);
  }
  await s.close();
  return { median: times.sort((a, b) => a - b)[1], all: times };
}

async function benchLatency() {
  const { s, req } = await server();
  const seen = new Map();
  const w = await ws(s.url, (m, at) => {
    if (m.type === 'job' && m.job.status === 'completed' && !seen.has(m.job.id))
      seen.set(m.job.id, at);
  });
  const ids = [];
  for (let i = 0; i < LAT_JOBS; i++) {
    const r = await req('POST', '/api/v1/jobs', { app: 'bench-true', params: { i } });
    ids.push(r.body.job);
    await new Promise(r => setTimeout(r, 5));
  }
  while (seen.size < LAT_JOBS) await new Promise(r => setTimeout(r, 50));
  w.close();
  const lat = ids.map(j => seen.get(j.id) - readExit(j.workDir).at.getTime()).sort((a, b) => a - b);
  await s.close();
  const q = p => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))];
  return { p50: q(0.5), p95: q(0.95), max: lat[lat.length - 1] };
}

async function benchStored() {
  // A separate process, so RSS is the server's own.
  const {
    req: call,
    pid,
    close,
  } = await childServer(os.tmpdir(), { slots: { local: { '*': 0 } } });
  const req = async (method, p, body) => (await call(method, p, body)).body;
  const per = 10000;
  let last;
  for (let k = 0; k < STORED / per; k++) {
    last = await req('POST', '/api/v1/batches', {
      app: 'bench-true',
      params: Array.from({ length: per }, (_, i) => ({ i })),
    });
  }
  const id = last.batch.id;
  const sum = [];
  const full = [];
  for (let k = 0; k < 20; k++) {
    let t = Date.now();
    await req('GET', `/api/v1/batches/${id}/jobs?limit=1`);
    t = Date.now();
    await req('GET', `/api/v1/batches?limit=1`);
    sum.push(Date.now() - t);
    t = Date.now();
    await req('GET', `/api/v1/batches/${id}`);
    full.push(Date.now() - t);
  }
  const rss =
    Number(fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]) / 1024;
  close();
  const med = a => a.sort((x, y) => x - y)[Math.floor(a.length / 2)];
  return { rssMB: Math.round(rss), summaryMs: med(sum), fullBatchRecordMs: med(full) };
}

(async () => {
  const out = {
    machine: `${os.cpus().length} CPUs, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`,
  };
  out.tasks = await benchTasks();
  out.post = await benchPost();
  out.latency = await benchLatency();
  out.stored = await benchStored();
  console.log(JSON.stringify(out, null, 2));
  console.log(`\n| measure | Bulkrun | alternative | target |`);
  console.log(`|---|---|---|---|`);
  console.log(
    `| ${N} trivial tasks end to end (local) | ${out.tasks.bulkrun} ms | GNU parallel -j2: ${out.tasks.parallel} ms; bare loop: ${out.tasks.loop} ms; loop writing a work dir per task: ${out.tasks.loopWithRecords} ms | ≤ 0.5× parallel, ≤ 1.5× loop |`
  );
  console.log(
    `| POST ${POST_ROWS}-row batch → 202 | ${out.post.median} ms (median of 3) | | ≤ 200 ms |`
  );
  console.log(
    `| event latency, exit → WS client (${LAT_JOBS} jobs) | p50 ${out.latency.p50} ms, p95 ${out.latency.p95} ms | | p95 ≤ 250 ms |`
  );
  console.log(`| ${STORED} stored jobs: server RSS | ${out.stored.rssMB} MB | | ≤ 300 MB |`);
  console.log(
    `| batch summary (GET /batches?limit=1) at ${STORED} jobs | ${out.stored.summaryMs} ms | full record with 10,000 childJobIds: ${out.stored.fullBatchRecordMs} ms | ≤ 20 ms |`
  );
  process.exit(0);
})().catch(e => {
  console.error(e);
  process.exit(1);
});
