#!/usr/bin/env node
/**
 * Bulkrun server on the real single-node Slurm of scripts/slurm-up, end to end through
 * the REST API and the WebSocket, side by side with a loop of one sbatch per row:
 *  - POST of a 10,000-row batch → 202, and → every row known to Slurm (status `queued`,
 *    a Slurm id recorded), counting the sbatch calls (distinct array ids in squeue);
 *  - the same work as a loop of `sbatch` per row (the first --loop rows, extrapolated);
 *  - cancel of the whole batch through the API → every row `terminated`;
 *  - event latency: a row's exit (the wrapper's record) → the WebSocket event, with the
 *    defaults (the job reports its exit, engine/reports.ts; poll every 2 s as the backstop),
 *    and with reports off (`jobReports: false`) at the default poll and at 500 ms.
 * Batch rows are submitted held (--hold via the backend's extra sbatch options) so the
 * machine measures submission and tracking, not running 10,000 processes.
 * Usage: node bench/slurm-server.js [--rows 10000] [--loop 200] [--latency-jobs 30]
 * Needs the compiled server (npm run build:server) and root (for slurm-up).
 */
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const WebSocket = require('ws');
const { ROOT, TOKEN, arg, childServer, exitLatency } = require('./lib');

const ROWS = arg('rows', 10000);
const LOOP = arg('loop', 200);
const LAT_JOBS = arg('latency-jobs', 30);
const BENCH_DIR = '/var/tmp/bulkrun-bench';

const sleep = ms => new Promise(r => setTimeout(r, ms));
const hr = () => process.hrtime.bigint();
const since = t => Number(process.hrtime.bigint() - t) / 1e6;

function squeueTasks(arrayIds) {
  const out = execFileSync('squeue', ['-h', '-r', '-t', 'all', '-o', '%F'], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  return out.split('\n').filter(l => arrayIds.has(l.trim())).length;
}

/** Resolves when a batch event for `id` satisfies pred (the WebSocket, no polling). */
function batchEvents(url) {
  const w = new WebSocket(url.replace('http', 'ws') + `/api/v1/events?format=json&token=${TOKEN}`);
  const waiters = [];
  w.on('message', d => {
    const m = JSON.parse(d.toString());
    if (m.type !== 'batch') return;
    for (const x of waiters) if (m.batch.id === x.id && x.pred(m.batch.counts)) x.done(hr());
  });
  return {
    opened: new Promise(r =>
      w.on('open', () => (w.send(JSON.stringify({ type: 'subscribe' })), r()))
    ),
    until: (id, pred) => new Promise(done => waiters.push({ id, pred, done })),
    close: () => w.close(),
  };
}

async function benchBatch() {
  const { url, req, close, logs } = await childServer(
    BENCH_DIR,
    { defaultBackend: 'slurm', backends: { slurm: { extraSbatchArgs: ['--hold'] } } },
    'info'
  );
  const ev = batchEvents(url);
  await ev.opened;
  // Warm-up (JIT, prepared statements, Slurm config read), then the measured batch.
  const warm = await req('POST', '/api/v1/batches', { app: 'bench-true', params: [{ i: 0 }] });
  await ev.until(warm.body.batch.id, c => c.queued === 1);
  const body = {
    app: 'bench-true',
    backend: 'slurm',
    params: Array.from({ length: ROWS }, (_, i) => ({ i })),
  };
  let id = null;
  const pending = [];
  const known = new Promise(r => pending.push(r));
  const wall0 = Date.now();
  const t0 = hr();
  const r = await req('POST', '/api/v1/batches', body);
  const postMs = since(t0);
  if (r.status !== 202) throw new Error(JSON.stringify(r.body));
  id = r.body.batch.id;
  ev.until(id, c => c.queued === ROWS).then(t => pending[0](t));
  const knownAt = await known;
  const queuedMs = Number(knownAt - t0) / 1e6;
  // Slurm knows every row when the sbatch calls return; Bulkrun then records them.
  const subs = () =>
    logs.filter(d => d.msg === 'dispatched' && d.backend === 'slurm' && d.submittedAt >= wall0);
  // The log line follows the events by a moment.
  for (let k = 0; k < 100 && subs().reduce((n, d) => n + d.jobs, 0) < ROWS; k++) await sleep(50);
  const rowsSubmitted = subs().reduce((n, d) => n + d.jobs, 0);
  if (rowsSubmitted !== ROWS) throw new Error(`dispatch log shows ${rowsSubmitted} rows`);
  const knownMs = Math.max(...subs().map(d => d.submittedAt)) - wall0;
  const breakdown = subs().map(d => ({
    jobs: d.jobs,
    prepareMs: d.prepareMs,
    sbatchMs: d.submitMs,
    recordMs: d.recordMs,
  }));
  // Distinct Slurm array ids among the rows = sbatch calls made.
  const arrayIds = new Set();
  let cursor = '';
  do {
    const page = await req('GET', `/api/v1/batches/${id}/jobs?limit=1000${cursor}`);
    for (const j of page.body.jobs) arrayIds.add(String(j.backendJobId).split('_')[0]);
    cursor = page.body.nextCursor ? `&cursor=${page.body.nextCursor}` : '';
  } while (cursor);
  const inSqueue = squeueTasks(arrayIds);
  const t1 = hr();
  const terminated = ev.until(id, c => c.terminated === ROWS);
  const c = await req('POST', `/api/v1/batches/${id}/cancel`);
  if (c.status !== 200) throw new Error(`cancel: ${c.status} ${JSON.stringify(c.body)}`);
  const cancelMs = Number((await terminated) - t1) / 1e6;
  await req('POST', `/api/v1/batches/${warm.body.batch.id}/cancel`);
  // The scheduler side of the cancel (scancel) runs after the answer: let it finish.
  for (let k = 0; k < 100 && squeueTasks(arrayIds) > 0; k++) await sleep(100);
  ev.close();
  close();
  return { postMs, knownMs, queuedMs, breakdown, sbatchCalls: arrayIds.size, inSqueue, cancelMs };
}

function benchLoop() {
  // What a hand-written submitter does: one sbatch per row, same script, held.
  const dir = fs.mkdtempSync(path.join(BENCH_DIR, 'loop-'));
  const script = path.join(dir, 'row.sh');
  fs.writeFileSync(script, '#!/bin/sh\ntrue\n', { mode: 0o755 });
  const ids = [];
  const t = hr();
  for (let i = 0; i < LOOP; i++) {
    const out = execFileSync(
      'sbatch',
      ['--parsable', '--hold', `--job-name=loop-${i}`, '-o', '/dev/null', `--chdir=${dir}`, script],
      { encoding: 'utf8' }
    );
    ids.push(out.trim().split(';')[0]);
  }
  const ms = since(t);
  execFileSync('scancel', ids);
  fs.rmSync(dir, { recursive: true, force: true });
  return { rows: LOOP, ms, extrapolatedMs: (ms / LOOP) * ROWS };
}

function benchLatency(pollIntervalMs, jobReports = true) {
  return exitLatency(BENCH_DIR, 'slurm', { pollIntervalMs, jobReports }, LAT_JOBS);
}

(async () => {
  execFileSync(path.join(ROOT, 'scripts', 'slurm-up'), { stdio: 'inherit' });
  fs.mkdirSync(BENCH_DIR, { recursive: true });
  const maxArraySize = /MaxArraySize\s*=\s*(\d+)/.exec(
    execFileSync('scontrol', ['show', 'config'], { encoding: 'utf8' })
  )[1];
  const out = {
    machine: `${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(1)}, node ${process.version}`,
    slurm: execFileSync('sinfo', ['--version'], { encoding: 'utf8' }).trim(),
    maxArraySize: Number(maxArraySize),
  };
  out.batch = await benchBatch();
  out.loop = benchLoop();
  out.latencyDefault = await benchLatency(undefined);
  out.latencyPollOnly = await benchLatency(undefined, false);
  out.latency500 = await benchLatency(500, false);
  console.log(JSON.stringify(out, null, 2));
  const f = n => Math.round(n).toLocaleString('en-US');
  console.log(`\n| measure | Bulkrun | loop of sbatch | target |`);
  console.log(`|---|---|---|---|`);
  const b = out.batch;
  const d = b.breakdown[0];
  console.log(`| POST ${f(ROWS)} rows → 202 | ${f(b.postMs)} ms | | ≤ 200 ms |`);
  console.log(
    `| POST ${f(ROWS)} rows → every row known to Slurm (sbatch returned) | ${f(b.knownMs)} ms: ${b.sbatchCalls} sbatch call(s) (${f(d.sbatchMs)} ms), preparing the rows ${f(d.prepareMs)} ms; ${f(b.inSqueue)} tasks in squeue | ${f(out.loop.ms)} ms for ${out.loop.rows} rows → ≈ ${f(out.loop.extrapolatedMs)} ms | ≤ 1,000 ms |`
  );
  console.log(
    `| per row | ${((b.knownMs / ROWS) * 1000).toFixed(0)} µs | ${((out.loop.ms / out.loop.rows) * 1000).toFixed(0)} µs (${Math.round(out.loop.extrapolatedMs / b.knownMs)}× slower) | ≥ 50× |`
  );
  console.log(
    `| POST → every row \`queued\` in Bulkrun (WebSocket batch event) | ${f(b.queuedMs)} ms (recording 10,000 transitions: ${f(d.recordMs)} ms) | | |`
  );
  console.log(`| cancel the batch → every row terminated | ${f(b.cancelMs)} ms | | |`);
  for (const l of [out.latencyDefault, out.latencyPollOnly, out.latency500])
    console.log(
      `| row exit → WebSocket event, ${l.jobReports ? 'job reports on (default)' : 'reports off'}, poll ${f(l.pollIntervalMs ?? 2000)} ms (${LAT_JOBS} jobs) | p50 ${f(l.p50)} ms, p95 ${f(l.p95)} ms, max ${f(l.max)} ms | | ${l.jobReports ? '≤ 250 ms' : '≤ poll + 500 ms'} |`
    );
  process.exit(0);
})().catch(e => {
  console.error(e);
  process.exit(1);
});
