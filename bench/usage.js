#!/usr/bin/env node
/**
 * Resource suggestions against the app's defaults, in one run (docs/BENCHMARKS.md).
 * A synthetic app (bench/apps/b-sized.json) whose peak memory and run time follow an
 * input size; 200 rows drawn from one size distribution, run three ways on the local
 * backend after a warm-up history:
 *   defaults   — the app's memory (2G), what a user who does not guess gets
 *   suggestion — GET /apps/b-sized/usage's `suggestion.memory` (Tovar's first allocation)
 *   model      — the cell's per-batch answer from the size model (src/model/suggest.ts)
 * Waste is Σ over attempts of (requested − peak used) · wall, and a failed attempt's whole
 * request · wall; failed rows are those whose first attempt hit `oom` (retried by itself).
 * Usage: node bench/usage.js [--rows 200] [--warmup 40]
 * Needs the compiled server (npm run build:server).
 */
const os = require('os');
const path = require('path');
const { arg, childServer } = require('./lib');

const ROWS = arg('rows', 200);
const WARMUP = arg('warmup', 40);
const MIB = 2 ** 20;
const GIB = 2 ** 30;

// Sizes 10..250 MB, log-uniform-ish, from a fixed seed so every run sees the same rows.
let state = 12345;
const rand = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const rows = n =>
  Array.from({ length: n }, () => ({
    size: Math.round(10 * 25 ** rand()),
    seed: Math.floor(rand() * 1e9),
  }));

async function runBatch(s, params, resources) {
  const post = await s.req('POST', '/api/v1/batches', {
    app: 'b-sized',
    params,
    resources,
    maxRetries: 2,
  });
  if (post.status !== 202) throw new Error(JSON.stringify(post.body));
  const id = post.body.batch.id;
  for (;;) {
    const b = (await s.req('GET', `/api/v1/batches/${id}`)).body;
    if (b.status !== 'running' && b.status !== 'created') break;
    await new Promise(r => setTimeout(r, 200));
  }
  const jobs = [];
  let cursor = null;
  do {
    const q = `attempts=all&limit=1000${cursor ? `&cursor=${cursor}` : ''}`;
    const page = (await s.req('GET', `/api/v1/batches/${id}/jobs?${q}`)).body;
    jobs.push(...page.jobs);
    cursor = page.nextCursor;
  } while (cursor);
  return jobs;
}

function cost(jobs) {
  let wasteGBs = 0;
  let requestedGBs = 0;
  let failedRows = 0;
  let attempts = 0;
  for (const j of jobs) {
    const req = Number(String(j.resources.memory).replace(/M$/, '')) * MIB || 2 * GIB;
    const u = j.usage ?? {};
    const wall = u.wallSeconds ?? 0;
    attempts++;
    requestedGBs += (req / GIB) * wall;
    if (j.status === 'completed') wasteGBs += ((req - (u.maxRssBytes ?? 0)) / GIB) * wall;
    else wasteGBs += (req / GIB) * wall;
    if (j.attempt === 1 && j.status === 'error') failedRows++;
  }
  return {
    wasteGBs,
    requestedGBs,
    failedRows,
    attempts,
    completed: jobs.filter(j => j.status === 'completed').length,
  };
}

function modelMemory(usage, params) {
  const m = usage.models.find(x => x.measure === 'maxRssBytes');
  if (!m) return null;
  const need = Math.max(...params.map(p => m.intercept + m.slope * p[m.param] + m.residualP95));
  return `${Math.ceil((need * 1.1) / MIB)}M`;
}

(async () => {
  const s = await childServer(path.join(os.tmpdir(), 'bulkrun-bench-usage'), {
    slots: { local: { '*': 2 } },
  });
  try {
    await runBatch(s, rows(WARMUP), {});
    const usage = (await s.req('GET', '/api/v1/apps/b-sized/usage')).body;
    const params = rows(ROWS);
    const fmt = c =>
      `${(c.wasteGBs / 3600).toFixed(5)} GB·h wasted of ${(c.requestedGBs / 3600).toFixed(5)} GB·h asked (${((100 * c.wasteGBs) / c.requestedGBs).toFixed(0)}%), ` +
      `${c.failedRows} of ${ROWS} rows failed first (${c.attempts} attempts, ${c.completed} completed)`;
    const lines = [];
    const run = async (name, memory) => {
      const c = cost(await runBatch(s, params, memory ? { memory } : {}));
      lines.push([name, memory ?? '2G (app default)', c]);
      console.log(`${name.padEnd(11)} memory ${String(memory ?? '2G').padEnd(6)} ${fmt(c)}`);
    };
    console.log(
      `history: ${usage.runs} runs; peak p50 ${(usage.memory.p50 / MIB).toFixed(0)} MiB, p95 ${(usage.memory.p95 / MIB).toFixed(0)} MiB, max ${(usage.memory.max / MIB).toFixed(0)} MiB`
    );
    await run('defaults', null);
    await run('suggestion', usage.suggestion.memory);
    await run('model', modelMemory(usage, params));
    const [d, sg] = [lines[0][2], lines[1][2]];
    console.log(
      `suggestion vs defaults: waste ${((100 * (sg.wasteGBs - d.wasteGBs)) / d.wasteGBs).toFixed(1)}%`
    );
  } finally {
    await s.close();
  }
})().catch(e => {
  console.error(e);
  process.exit(1);
});
