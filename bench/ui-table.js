#!/usr/bin/env node
/**
 * The bulk-run cell's status table with a 10,000-row batch, in a real JupyterLab (the
 * repo's .venv) in Debian's Chromium: how soon the rows show, how smooth scrolling is
 * while the rows' events stream in and after, and how far the view trails the server.
 * Usage: node bench/ui-table.js [--rows 10000] [--sweep-ms 3000] [--profile]
 * (--profile: prints where the page's main thread spent the live sweep, by function.)
 * Needs `make install` (the .venv, the built extension and server) and /usr/bin/chromium.
 */
/* global document, performance, PerformanceObserver, requestAnimationFrame -- inside page.evaluate */
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright');
const { arg } = require('./lib');

const ROOT = path.join(__dirname, '..');
const ROWS = arg('rows', 10000);
const SWEEP_MS = arg('sweep-ms', 3000);
const PROFILE = process.argv.includes('--profile');
const PORT = String(20000 + Math.floor(Math.random() * 12000));
const TOKEN = 'bench-ui-token';
const BASE = `http://127.0.0.1:${PORT}`;

const sleep = ms => new Promise(r => setTimeout(r, ms));

/** JupyterLab with the extension, as the UI tests start it, plus the bench apps. */
async function startLab() {
  const dataDir = path.join(os.tmpdir(), `bulkrun-ui-data-bench-${PORT}`);
  const lab = spawn(
    path.join(ROOT, '.venv', 'bin', 'jupyter'),
    ['lab', '--config', 'jupyter_server_test_config.py'],
    {
      cwd: path.join(ROOT, 'ui-tests'),
      env: {
        ...process.env,
        BULKRUN_UI_PORT: PORT,
        BULKRUN_UI_TOKEN: TOKEN,
        BULKRUN_UI_DATA_DIR: dataDir,
        BULKRUN_APPS_PATH: path.join(__dirname, 'apps'),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    }
  );
  let log = '';
  lab.stderr.on('data', d => (log = (log + d).slice(-4000)));
  const deadline = Date.now() + 120000;
  for (;;) {
    try {
      if ((await fetch(`${BASE}/api/status?token=${TOKEN}`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || lab.exitCode !== null) {
      throw new Error(`JupyterLab did not start:\n${log}`);
    }
    await sleep(250);
  }
  return {
    close() {
      try {
        process.kill(-lab.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      // The Bulkrun server the proxy started runs in its own session: stop it by its data dir.
      for (const pid of fs.readdirSync('/proc').filter(p => /^\d+$/.test(p))) {
        try {
          const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
          const env = fs.readFileSync(`/proc/${pid}/environ`, 'utf8');
          if (cmd.includes('bulkrun') && env.includes(dataDir))
            process.kill(Number(pid), 'SIGTERM');
        } catch {
          // gone, or not ours
        }
      }
    },
  };
}

async function api(method, p, body) {
  const r = await fetch(BASE + p, {
    method,
    headers: { authorization: `token ${TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${p}: ${r.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

/** A notebook whose one cell is a bulk-run cell attached to `batchId`. */
function notebook(batchId) {
  const draft = {
    app: 'bench-true',
    rows: [],
    shared: {},
    resources: {},
    backend: '',
    label: 'bench',
    maxParallel: '',
    fanIn: null,
    idempotencyKey: '',
  };
  return {
    type: 'notebook',
    format: 'json',
    content: {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
      cells: [
        {
          cell_type: 'code',
          id: 'bench',
          source: '',
          outputs: [],
          execution_count: null,
          metadata: { bulkrun: { version: 1, batchId, draft } },
        },
      ],
    },
  };
}

/** Scrolls the table top to bottom over `ms`, one step per frame; frame times in ms. */
function sweep(page, ms) {
  return page.evaluate(async ms => {
    const grid = document.querySelector('.jp-Bulkrun-table [role="grid"]');
    let longTasks = 0;
    const obs = new PerformanceObserver(l => (longTasks += l.getEntries().length));
    obs.observe({ entryTypes: ['longtask'] });
    const frames = [];
    const t0 = performance.now();
    let last = t0;
    await new Promise(resolve => {
      const step = now => {
        frames.push(now - last);
        last = now;
        grid.scrollTop = Math.min(1, (now - t0) / ms) * (grid.scrollHeight - grid.clientHeight);
        if (now - t0 < ms) requestAnimationFrame(step);
        else resolve();
      };
      requestAnimationFrame(step);
    });
    obs.disconnect();
    frames.shift();
    frames.sort((a, b) => a - b);
    const q = p => frames[Math.min(frames.length - 1, Math.floor(frames.length * p))];
    return {
      frames: frames.length,
      fps: Math.round((frames.length * 1000) / ms),
      p50: q(0.5),
      p95: q(0.95),
      max: frames[frames.length - 1],
      longTasks,
      domRows: grid.querySelectorAll('[role="row"]').length,
    };
  }, ms);
}

/** Self time by function (name, file:line) from a CPU profile, top 15. */
function printProfile(profile) {
  const dt = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    dt.set(id, (dt.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const self = new Map();
  let total = 0;
  for (const n of profile.nodes) {
    const us = dt.get(n.id) ?? 0;
    total += us;
    const f = n.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + us);
  }
  console.log(`\nmain thread during the live sweep: ${(total / 1000).toFixed(0)} ms sampled`);
  for (const [k, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
    console.log(`${(us / 1000).toFixed(1).padStart(8)} ms  ${k}`);
  }
}

const fmt = s =>
  `${s.fps} fps, frame p50 ${s.p50.toFixed(1)} ms / p95 ${s.p95.toFixed(1)} ms / max ${s.max.toFixed(0)} ms, ` +
  `${s.longTasks} long tasks, ${s.domRows} rows in the DOM`;

async function main() {
  const lab = await startLab();
  let browser;
  try {
    // The proxy starts the Bulkrun server on its first request.
    const tCold = Date.now();
    await api('GET', '/bulkrun/api/v1/health');
    const coldMs = Date.now() - tCold;
    const t0 = Date.now();
    const params = Array.from({ length: ROWS }, (_, i) => ({ i }));
    const { batch } = await api('POST', '/bulkrun/api/v1/batches', { app: 'bench-true', params });
    const postMs = Date.now() - t0;
    await api('PUT', '/api/contents/bench.ipynb', notebook(batch.id));

    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu'],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const tNav = Date.now();
    await page.goto(`${BASE}/lab/tree/bench.ipynb?token=${TOKEN}`);
    await page.locator('.jp-NotebookPanel').first().waitFor({ timeout: 120000 });
    const tPanel = Date.now();
    const grid = page.locator('.jp-Bulkrun-table [role="grid"]');
    await grid.locator('[role="row"]').first().waitFor({ timeout: 120000 });
    const tRows = Date.now();
    const summary = page.locator('.jp-Bulkrun-summary');

    const cdp = PROFILE ? await page.context().newCDPSession(page) : null;
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.start');
    }
    const live = await sweep(page, SWEEP_MS);
    if (cdp) printProfile((await cdp.send('Profiler.stop')).profile);
    const liveSummary = await summary.textContent();

    // The server finishes; how long until the view says so too.
    let doneAt;
    for (;;) {
      const b = await api('GET', `/bulkrun/api/v1/batches/${batch.id}`);
      if (b.status === 'completed' || b.status === 'error') {
        doneAt = Date.now();
        break;
      }
      await sleep(100);
    }
    await page.waitForFunction(
      n => document.querySelector('.jp-Bulkrun-summary')?.textContent === `${n} completed`,
      ROWS,
      { timeout: 60000, polling: 20 }
    );
    const viewLagMs = Date.now() - doneAt;
    const runMs = doneAt - t0;

    const idle = await sweep(page, SWEEP_MS);
    await grid.evaluate(el => (el.scrollTop = 0));
    await page.waitForTimeout(200);
    const tJump = Date.now();
    await grid.evaluate(el => (el.scrollTop = el.scrollHeight));
    await grid.locator(`[aria-rowindex="${ROWS}"]`).waitFor({ timeout: 10000 });
    const jumpMs = Date.now() - tJump;

    console.log(
      `\n${ROWS} rows of bench-true on the local backend, JupyterLab + Chromium (headless)`
    );
    console.log(`| measure | value |`);
    console.log(`|---|---|`);
    console.log(`| first request: Jupyter's proxy starts the Bulkrun server | ${coldMs} ms |`);
    console.log(`| POST → 202 through Jupyter's proxy | ${postMs} ms |`);
    console.log(
      `| notebook open → table rows visible | ${tRows - tPanel} ms (page load to notebook: ${tPanel - tNav} ms) |`
    );
    console.log(
      `| scroll sweep while events stream in (${SWEEP_MS} ms; summary then: "${liveSummary}") | ${fmt(live)} |`
    );
    console.log(`| scroll sweep after the batch ended | ${fmt(idle)} |`);
    console.log(`| jump to the last row → row ${ROWS} rendered | ${jumpMs} ms |`);
    console.log(
      `| batch completed on the server → "${ROWS} completed" in the view | ${viewLagMs} ms |`
    );
    console.log(`| POST → batch completed (${ROWS} processes) | ${(runMs / 1000).toFixed(1)} s |`);
  } finally {
    await browser?.close();
    lab.close();
  }
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
