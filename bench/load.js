#!/usr/bin/env node
/**
 * Reliability under load: a 100,000-row batch posted, cancelled, retried and cancelled
 * again while 50 WebSocket clients follow everything, then the same on a fresh server with
 * no client.
 * Usage: node bench/load.js [--rows 100000] [--clients 50] [--client-threads 1] [--timeout 600]
 * Needs the compiled server (npm run build:server).
 *
 * The server runs in its own process (bench/lib.js childServer) on the local backend with 2
 * slots; the rows sleep an hour (t-sleep from kernel-ext/test/fixtures/apps), so 2 run and
 * the rest stay `created` until the cancel. A thread of its own reads the server's VmRSS
 * and GET /api/v1/health every 100 ms over a connection of its own; the clients run in
 * other threads (bench/lib.js monitor, clientPool). A phase's event-loop figures are the
 * health requests in flight from its start to 500 ms after its end: the slowest answer, and
 * the largest `eventLoop.sinceLastMaxMs` (the server's worst timer lag since the answer
 * before).
 */
const os = require('os');
const { TEST_APPS, arg, childServer, clientPool, header, median, monitor } = require('./lib');

const ROWS = arg('rows', 100000);
const CLIENTS = arg('clients', 50);
const THREADS = arg('client-threads', 1);
const TIMEOUT_MS = arg('timeout', 600) * 1000;
const SLEEP_S = 3600;

const sleep = ms => new Promise(r => setTimeout(r, ms));
const now = () => Date.now();

/** Polls `fn` every `everyMs` until it answers truthy; the time it did, or null on timeout. */
async function until(fn, timeoutMs, everyMs = 50) {
  const end = now() + timeoutMs;
  for (;;) {
    if (await fn()) return now();
    if (now() > end) return null;
    await sleep(everyMs);
  }
}

/** The batch's summary (GET /batches?limit=1: the newest batch, without childJobIds). */
async function summary(srv, id) {
  const r = await srv.req('GET', '/api/v1/batches?limit=5');
  return r.body.batches.find(b => b.id === id);
}

const open = c => c.created + c.queued + c.running;

/** Figures of the window [t0, t1 + 500 ms] from the monitor's series. */
function windowFigures(series, t0, t1) {
  const end = t1 + 500;
  // A request sent just before t0 may wait behind the phase's work: it counts if it ended after t0.
  const h = series.health.filter(x => x[0] + x[1] >= t0 && x[0] <= end);
  const rss = series.rss.filter(x => x[0] >= t0 && x[0] <= end).map(x => x[1]);
  return {
    healthMaxMs: h.length ? Math.max(...h.map(x => x[1])) : null,
    loopMaxMs: h.length ? Math.max(...h.map(x => x[2] ?? 0)) : null,
    healthFailed: h.filter(x => x[2] === null).length,
    rssPeakMB: rss.length ? Math.round(Math.max(...rss) / 1024) : null,
  };
}

/**
 * One cancel (or retry) of the whole batch: the HTTP answer, when every client had what
 * `expect` asked for (or a reset), when the batch summary shows the end state over REST.
 */
async function phase(srv, mon, pool, { name, request, expect, settled }) {
  if (pool) await expect();
  const t0 = now();
  const r = await request();
  const httpMs = now() - t0;
  const startedAt = t0;
  if (r.status >= 300) throw new Error(`${name}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  const restAt = await until(settled, TIMEOUT_MS, 100);
  let clients = null;
  if (pool) {
    const w = await pool.wait(Math.max(1000, t0 + TIMEOUT_MS - now()));
    const done = w.map(c => c.doneAt);
    clients = {
      allSeenMs: done.every(d => d !== null) ? Math.max(...done) - t0 : null,
      medianSeenMs: median(done.filter(d => d !== null).map(d => d - t0)),
      resets: w.filter(c => c.reset).length,
      missing: w.reduce((a, c) => a + c.missing, 0),
      timedOut: done.filter(d => d === null).length,
    };
  }
  const t1 = Math.max(restAt ?? now(), ...(clients ? [t0 + (clients.allSeenMs ?? 0)] : []));
  await sleep(600); // the health answers after the end, which report the lag up to it
  const fig = windowFigures(await mon.series(), t0, t1);
  return {
    name,
    startedAt,
    httpMs,
    restMs: restAt === null ? null : restAt - t0,
    clients,
    ...fig,
    body: r.body,
  };
}

async function run(nClients) {
  const srv = await childServer(os.tmpdir(), {
    apps: [TEST_APPS],
    slots: { local: { '*': 2 } },
  });
  const mon = monitor(srv.url, srv.pid);
  const pool = nClients > 0 ? await clientPool(srv.url, nClients, { threads: THREADS }) : null;
  let batchId = null;
  const out = { clients: nClients };
  try {
    await sleep(1000);
    const tStart = now();
    // POST
    const body = {
      app: 't-sleep',
      label: 'load',
      params: Array.from({ length: ROWS }, () => ({ seconds: SLEEP_S })),
    };
    const t0 = now();
    const post = await srv.req('POST', '/api/v1/batches', body);
    const postMs = now() - t0;
    if (post.status !== 202)
      throw new Error(`POST: HTTP ${post.status} ${JSON.stringify(post.body).slice(0, 500)}`);
    batchId = post.body.batch.id;
    const jobIds = post.body.jobIds;
    if (jobIds.length !== ROWS) throw new Error(`POST answered ${jobIds.length} job ids`);
    const recordedAt = await until(async () => {
      const b = await summary(srv, batchId);
      return b && b.total === ROWS && Object.values(b.counts).reduce((a, x) => a + x, 0) === ROWS;
    }, TIMEOUT_MS);
    let clientsSeenMs = null;
    if (pool) {
      const seenAt = await until(
        async () => (await pool.batchSeen(batchId)).every(t => t !== null),
        TIMEOUT_MS
      );
      if (seenAt !== null) clientsSeenMs = Math.max(...(await pool.batchSeen(batchId))) - t0;
    }
    out.post = { postMs, recordedMs: recordedAt === null ? null : recordedAt - t0, clientsSeenMs };
    await sleep(600);
    Object.assign(
      out.post,
      windowFigures(
        await mon.series(),
        t0,
        Math.max(recordedAt ?? now(), t0 + (clientsSeenMs ?? 0))
      )
    );
    // Two rows start; the rest wait.
    await until(async () => (await summary(srv, batchId)).counts.running === 2, 30000);
    await sleep(1000);
    const allTerminated = async () => {
      const b = await summary(srv, batchId);
      return b && open(b.counts) === 0 && b.status === 'terminated';
    };

    out.cancel1 = await phase(srv, mon, pool, {
      name: 'cancel',
      expect: () => pool.track(jobIds),
      request: () => srv.req('POST', `/api/v1/batches/${batchId}/cancel`),
      settled: allTerminated,
    });
    delete out.cancel1.body;
    await sleep(2000);

    out.retry = await phase(srv, mon, pool, {
      name: 'retry',
      expect: () => pool.expectCreated(ROWS),
      request: () => srv.req('POST', `/api/v1/batches/${batchId}/retry`, {}),
      settled: async () => {
        const b = await summary(srv, batchId);
        return b && b.counts.terminated === 0 && b.counts.running === 2;
      },
    });
    const results = out.retry.body.results;
    delete out.retry.body;
    const retryIds = results.filter(x => x.retryId).map(x => x.retryId);
    out.retry.retried = retryIds.length;
    if (retryIds.length !== ROWS)
      throw new Error(
        `retry made ${retryIds.length} attempts; ${JSON.stringify(results.find(x => !x.retryId))}`
      );
    await sleep(2000);

    out.cancel2 = await phase(srv, mon, pool, {
      name: 'cancel again',
      expect: () => pool.track(retryIds),
      request: () => srv.req('POST', `/api/v1/batches/${batchId}/cancel`),
      settled: allTerminated,
    });
    delete out.cancel2.body;

    // At rest: 5 to 10 s after the last phase, clients still connected.
    await sleep(10000);
    const series = await mon.series();
    const tEnd = now();
    const rest = series.rss.filter(x => x[0] >= tEnd - 5000).map(x => x[1]);
    const all = series.rss.filter(x => x[0] >= tStart).map(x => x[1]);
    out.rss = {
      startMB: Math.round(series.rss.find(x => x[0] >= tStart)[1] / 1024),
      peakMB: Math.round(Math.max(...all) / 1024),
      restMB: Math.round(median(rest) / 1024),
    };
    out.health = {
      failed: series.health.filter(x => x[2] === null).length,
      polls: series.health.length,
      serverP99Ms: series.health[series.health.length - 1][3],
      serverMaxMs: series.health[series.health.length - 1][4],
    };
    if (pool) {
      const st = await pool.stats();
      out.stream = {
        events: median(st.map(c => c.events)),
        eventsMin: Math.min(...st.map(c => c.events)),
        eventsMax: Math.max(...st.map(c => c.events)),
        gaps: st.reduce((a, c) => a + c.gaps, 0),
        lost: st.reduce((a, c) => a + c.lost, 0),
        dups: st.reduce((a, c) => a + c.dups, 0),
        resets: st.reduce((a, c) => a + c.resets, 0),
        clientsReset: st.filter(c => c.resets > 0).length,
        errors: st.reduce((a, c) => a + c.errors, 0),
        closed: st.filter(c => c.closed).length,
      };
    }
    out.serverLogErrors = srv.logs.filter(l => l.level >= 50).length;
    // When the loop stalled longest: seconds from the POST, to tell which phase it was.
    out.stalls = series.health
      .filter(x => x[2] !== null && x[2] > 250)
      .map(x => ({ atS: Math.round((x[0] - tStart) / 100) / 10, lagMs: x[2] }));
    out.phasesAtS = Object.fromEntries(
      ['cancel1', 'retry', 'cancel2'].map(k => [k, Math.round((out[k].startedAt - tStart) / 100) / 10])
    );
    return out;
  } finally {
    if (pool) await pool.close();
    await mon.stop();
    // No sleeping row outlives the bench.
    if (batchId) await srv.req('POST', `/api/v1/batches/${batchId}/cancel`).catch(() => {});
    await sleep(500);
    srv.close();
  }
}

const fmt = v =>
  v === null || v === undefined ? '—' : typeof v === 'number' ? v.toLocaleString('en-US') : v;
const ms = v => (v === null || v === undefined ? 'timeout' : `${fmt(v)} ms`);

function table(a, b) {
  const n = ROWS.toLocaleString('en-US');
  const lines = [
    `| measure (${n} rows) | ${a.clients} clients | ${b.clients} clients |`,
    '|---|---|---|',
    `| POST of the batch → 202 | ${ms(a.post.postMs)} | ${ms(b.post.postMs)} |`,
    `| POST → batch summary counts all rows (REST) | ${ms(a.post.recordedMs)} | ${ms(b.post.recordedMs)} |`,
    `| POST → every client has the batch's event | ${ms(a.post.clientsSeenMs)} | — |`,
    `| POST: slowest /health answer | ${ms(a.post.healthMaxMs)} | ${ms(b.post.healthMaxMs)} |`,
    `| POST: max eventLoop.sinceLastMaxMs | ${ms(a.post.loopMaxMs)} | ${ms(b.post.loopMaxMs)} |`,
  ];
  for (const k of ['cancel1', 'retry', 'cancel2']) {
    const x = a[k];
    const y = b[k];
    const what = k === 'retry' ? 'every new attempt `created`' : 'every row terminal';
    lines.push(
      `| **${x.name}** → HTTP answer | ${ms(x.httpMs)} | ${ms(y.httpMs)} |`,
      `| ${x.name} → batch summary shows it (REST) | ${ms(x.restMs)} | ${ms(y.restMs)} |`,
      `| ${x.name} → every client saw ${what} (or a reset) | ${ms(x.clients.allSeenMs)} (median ${ms(x.clients.medianSeenMs)}; ${x.clients.resets} of ${a.clients} reset${x.clients.timedOut ? `, ${x.clients.timedOut} timed out missing ${fmt(x.clients.missing)}` : ''}) | — |`,
      `| ${x.name}: slowest /health answer | ${ms(x.healthMaxMs)} | ${ms(y.healthMaxMs)} |`,
      `| ${x.name}: max eventLoop.sinceLastMaxMs | ${ms(x.loopMaxMs)} | ${ms(y.loopMaxMs)} |`,
      `| ${x.name}: server RSS peak | ${fmt(x.rssPeakMB)} MB | ${fmt(y.rssPeakMB)} MB |`
    );
  }
  lines.push(
    `| server RSS: before the POST → peak over the run → at rest (10 s after) | ${a.rss.startMB} → **${a.rss.peakMB}** → ${a.rss.restMB} MB | ${b.rss.startMB} → **${b.rss.peakMB}** → ${b.rss.restMB} MB |`,
    `| server eventLoop over the run: p99 / max | ${ms(a.health.serverP99Ms)} / ${ms(a.health.serverMaxMs)} | ${ms(b.health.serverP99Ms)} / ${ms(b.health.serverMaxMs)} |`,
    `| events per client (median; min–max) | ${fmt(a.stream.events)} (${fmt(a.stream.eventsMin)}–${fmt(a.stream.eventsMax)}) | — |`,
    `| seq gaps (events lost) over all clients; resets | ${a.stream.gaps} gaps (${a.stream.lost} seqs); ${a.stream.resets} resets on ${a.stream.clientsReset} clients | — |`
  );
  return lines.join('\n');
}

if (require.main === module) {
  (async () => {
    const lines = header();
    const a = await run(CLIENTS);
    const b = await run(0);
    console.log(JSON.stringify({ withClients: a, without: b }, null, 2));
    console.log('\n' + lines.join('\n') + '\n');
    console.log(table(a, b));
    process.exit(0);
  })().catch(e => {
    console.error(e);
    process.exit(1);
  });
}
