#!/usr/bin/env node
/**
 * The worker pool (`rabbitmq` backend) on the real broker of scripts/rabbitmq-up, side by
 * side with GNU parallel in the same run.
 * Usage: node bench/rabbitmq.js [--publish-rows 10000] [--tasks 1000] [--latency-jobs 100]
 * Needs the compiled server (npm run build:server), a running broker (scripts/rabbitmq-up
 * prints its URL; default amqp://guest:guest@127.0.0.1:5673/, or $BULKRUN_AMQP_URL) and
 * GNU parallel (Debian `parallel`).
 */
const { execFileSync, spawn } = require('child_process');
const os = require('os');
const path = require('path');
const amqp = require('amqplib');
const { arg, childServer, eventStream: ws, quantiles } = require('./lib');

const ROOT = path.join(__dirname, '..');
const CLI = path.join(ROOT, 'kernel-ext', 'dist', 'cli', 'main.js');
const URL_ = process.env.BULKRUN_AMQP_URL || 'amqp://guest:guest@127.0.0.1:5673/';
const PUBLISH_ROWS = arg('publish-rows', 10000);
const N = arg('tasks', 1000);
const LAT_JOBS = arg('latency-jobs', 100);

const sleep = ms => new Promise(r => setTimeout(r, ms));

function config(queue) {
  return {
    defaultBackend: 'rabbitmq',
    backends: { rabbitmq: { url: URL_, queue, pollIntervalMs: 1000 } },
  };
}

function workers(queue, n, concurrency = 1) {
  return Array.from({ length: n }, () =>
    spawn(
      process.execPath,
      [
        CLI,
        'worker',
        '--amqp',
        URL_,
        '--queue',
        queue,
        '--concurrency',
        String(concurrency),
        '--log-level',
        'warn',
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] }
    )
  );
}

async function waitHealthy(req) {
  for (let i = 0; i < 200; i++) {
    const h = (await req('GET', '/api/v1/health')).body.backends?.rabbitmq;
    if (h?.available) return h;
    await sleep(50);
  }
  throw new Error('the server never reached the broker');
}

/** POST of a big batch with no worker attached: time until every row is in the broker. */
async function benchPublish() {
  const queue = `bench-pub-${Date.now()}`;
  const srv = await childServer(os.tmpdir(), config(queue), 'info');
  await waitHealthy(srv.req);
  const conn = await amqp.connect(URL_);
  const ch = await conn.createChannel();
  const t0 = Date.now();
  const r = await srv.req('POST', '/api/v1/batches', {
    app: 'bench-true',
    params: Array.from({ length: PUBLISH_ROWS }, (_, i) => ({ i })),
  });
  if (r.status !== 202) throw new Error(JSON.stringify(r.body));
  const accepted = Date.now() - t0;
  let inBroker = null;
  while (Date.now() - t0 < 60_000) {
    const q = await ch.checkQueue(`${queue}.tasks`);
    if (q.messageCount >= PUBLISH_ROWS) {
      inBroker = Date.now() - t0;
      break;
    }
    await sleep(10);
  }
  // The server logs the submission once it recorded the broker's confirms.
  for (let i = 0; i < 100 && !srv.logs.some(l => l.msg === 'dispatched'); i++) await sleep(50);
  const dispatched = srv.logs.filter(l => l.msg === 'dispatched');
  const publishMs = dispatched.reduce((s, l) => s + (l.submitMs ?? 0), 0);
  for (const name of ['tasks', 'events', 'dead'])
    await ch.deleteQueue(`${queue}.${name}`).catch(() => {});
  await conn.close();
  srv.close();
  return { accepted, inBroker, publishMs };
}

/** N `true` tasks over 2 workers, end to end, then GNU parallel -j2 over the same. */
async function benchTasks() {
  const queue = `bench-tasks-${Date.now()}`;
  const srv = await childServer(os.tmpdir(), config(queue));
  const pool = workers(queue, 2);
  await waitHealthy(srv.req);
  await sleep(1000); // both workers connected
  let done;
  const finished = new Promise(r => (done = r));
  let batchId = null;
  const w = await ws(srv.url, m => {
    if (
      m.type === 'batch' &&
      m.batch.id === batchId &&
      ['completed', 'error'].includes(m.batch.status)
    )
      done(m.batch);
  });
  const t0 = Date.now();
  const r = await srv.req('POST', '/api/v1/batches', {
    app: 'bench-true',
    params: Array.from({ length: N }, (_, i) => ({ i })),
  });
  batchId = r.body.batch.id;
  const b = await finished;
  const bulkrun = Date.now() - t0;
  w.close();
  pool.forEach(p => p.kill('SIGKILL'));
  srv.close();
  if (b.counts.completed !== N) throw new Error(`only ${b.counts.completed} of ${N} completed`);
  const list = Array.from({ length: N }, () => 'true').join('\n') + '\n';
  const tp = Date.now();
  execFileSync('parallel', ['-j2'], { input: list });
  const parallel = Date.now() - tp;
  return { bulkrun, parallel, perTaskMs: +(bulkrun / N).toFixed(2) };
}

/** Exit (the wrapper's record, via finishedAt) → the WebSocket event, one job at a time. */
async function benchLatency() {
  const queue = `bench-lat-${Date.now()}`;
  const srv = await childServer(os.tmpdir(), config(queue));
  const pool = workers(queue, 1);
  await waitHealthy(srv.req);
  await sleep(1000);
  const seen = new Map();
  const w = await ws(srv.url, (m, at) => {
    if (m.type === 'job' && m.job.status === 'completed' && !seen.has(m.job.id))
      seen.set(m.job.id, { at, job: m.job });
  });
  for (let i = 0; i < LAT_JOBS; i++) {
    const r = await srv.req('POST', '/api/v1/jobs', { app: 'bench-true', params: { i } });
    const id = r.body.job.id;
    while (!seen.has(id)) await sleep(5);
  }
  w.close();
  pool.forEach(p => p.kill('SIGKILL'));
  srv.close();
  return quantiles([...seen.values()].map(s => s.at - Date.parse(s.job.finishedAt)));
}

(async () => {
  const out = {
    machine: `${os.cpus().length} CPUs, node ${process.version}`,
    broker: URL_.replace(/:[^:@/]*@/, ':***@'),
  };
  out.publish = await benchPublish();
  out.tasks = await benchTasks();
  out.latency = await benchLatency();
  console.log(JSON.stringify(out, null, 2));
  console.log(`\n| measure | Bulkrun worker pool | alternative | target |`);
  console.log(`|---|---|---|---|`);
  console.log(
    `| POST ${PUBLISH_ROWS}-row batch → every row in the broker (confirmed) | ${out.publish.inBroker} ms (202 after ${out.publish.accepted} ms; publish + confirms ${out.publish.publishMs} ms) | | ≤ 1 s to the broker |`
  );
  console.log(
    `| ${N} \`true\` tasks over 2 workers, end to end | ${out.tasks.bulkrun} ms (${out.tasks.perTaskMs} ms/task) | GNU parallel -j2: ${out.tasks.parallel} ms | |`
  );
  console.log(
    `| exit → WebSocket event (${LAT_JOBS} jobs, one at a time) | p50 ${out.latency.p50} ms, p95 ${out.latency.p95} ms, max ${out.latency.max} ms | | p95 ≤ 250 ms |`
  );
  process.exit(0);
})().catch(e => {
  console.error(e);
  process.exit(1);
});
