#!/usr/bin/env node
/**
 * What the reaper's event pruning costs (store/events.ts prune; engine/reaper.ts runs it
 * every minute), against the statement it replaced, on a real store file.
 * Usage: node bench/event-prune.js [--events 3000000]
 * Needs the compiled server (npm run build:server).
 *
 * `events` events are appended (about what a server writes in an hour of
 * bench/soak.js), all younger than the retention. Then, three times: the old statement
 * (`DELETE FROM events WHERE at < ? AND seq <= ?`, which reads every event up to the newest
 * kept) and prune(), both with nothing old enough to delete. Last, half the events are
 * made older than the retention and one prune() deletes its chunk.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { performance } = require('perf_hooks');
const { arg, header, median } = require('./lib');
const { Store } = require('../kernel-ext/dist/store');

const EVENTS = arg('events', 3000000);
const RETENTION_MS = 7 * 24 * 3600 * 1000;
const KEEP = 100000;
const CHUNK = require('../kernel-ext/dist/engine/reaper').PRUNE_CHUNK;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulkrun-prune-'));
const store = Store.open(path.join(dir, 'bulkrun.db'));
try {
  // A job event as the server stores it: the whole job record (about 700 bytes).
  const body = {
    type: 'job',
    job: {
      app: 't-sleep',
      appVersion: '1.0.0',
      attempt: 1,
      backend: 'local',
      backendJobId: '12345',
      batchId: 'mnopqrstuvwx',
      createdAt: new Date().toISOString(),
      error: null,
      exitCode: 0,
      finishedAt: new Date().toISOString(),
      id: 'abcdefghijkl',
      index: 17,
      origin: null,
      output: null,
      owner: 'bench',
      params: { seconds: 0 },
      paramsEdited: false,
      parentJobId: null,
      priority: 0,
      queuedAt: new Date().toISOString(),
      resources: {},
      retryCount: 0,
      retryIds: [],
      retryParent: null,
      role: 'task',
      startedAt: new Date().toISOString(),
      status: 'completed',
      terminatedCode: null,
      usage: null,
      workDir: '/home/user/.local/share/jupyter/bulkrun/jobs/ab/abcdefghijkl',
    },
  };
  for (let done = 0; done < EVENTS; ) {
    store.db.exec('BEGIN');
    for (const end = Math.min(EVENTS, done + 100000); done < end; done++)
      store.events.append('bench', 'mnopqrstuvwx', 'abcdefghijkl', body);
    store.db.exec('COMMIT');
  }
  const old = store.db.prepare('DELETE FROM events WHERE at < ? AND seq <= ?');
  const oldMs = [];
  const newMs = [];
  for (let k = 0; k < 3; k++) {
    let t0 = performance.now();
    old.run(Date.now() - RETENTION_MS, store.events.maxSeq() - KEEP);
    oldMs.push(performance.now() - t0);
    t0 = performance.now();
    store.events.prune(RETENTION_MS, KEEP, CHUNK);
    newMs.push(performance.now() - t0);
  }
  const min = store.events.minSeq();
  store.db.prepare('UPDATE events SET at = 0 WHERE seq < ?').run(min + EVENTS / 2);
  const t0 = performance.now();
  const n = store.events.prune(RETENTION_MS, KEEP, CHUNK);
  const chunkMs = performance.now() - t0;
  const f = x => x.toFixed(x < 10 ? 2 : 0);
  console.log(header().join('\n'));
  console.log('');
  console.log(`| ${EVENTS.toLocaleString('en-US')} events stored | result |`);
  console.log('|---|---|');
  console.log(`| old statement, nothing to delete (median of 3) | ${f(median(oldMs))} ms |`);
  console.log(`| prune(), nothing to delete (median of 3) | ${f(median(newMs))} ms |`);
  console.log(`| prune(), half the events past retention: one chunk of ${n} | ${f(chunkMs)} ms |`);
} finally {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
