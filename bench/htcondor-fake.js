#!/usr/bin/env node
/**
 * HTCondor exit → WebSocket event, through the fake condor_* commands of
 * kernel-ext/test/fakes/condor (no HTCondor can be installed here, docs/HTCONDOR.md). The
 * fakes run the real wrapper, which reports the job's exit with real curl to the real
 * server, so the report path is measured as it runs on a pool; what the fakes cannot
 * show is a real schedd's own delays, which the poll-only figures would include.
 * Usage: node bench/htcondor-fake.js [--latency-jobs 30]
 * Needs the compiled server (npm run build:server).
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { ROOT, arg, exitLatency } = require('./lib');

const JOBS = arg('latency-jobs', 30);
const FAKES = path.join(ROOT, 'kernel-ext', 'test', 'fakes', 'condor');

(async () => {
  // Inherited by the server process the measurement starts.
  process.env.PATH = `${FAKES}${path.delimiter}${process.env.PATH}`;
  process.env.FAKE_CONDOR_STATE = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-condor-'));
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'bulkrun-bench-'));
  const runs = [
    await exitLatency(base, 'htcondor', {}, JOBS),
    await exitLatency(base, 'htcondor', { jobReports: false }, JOBS),
  ];
  console.log(JSON.stringify(runs, null, 2));
  const f = n => Math.round(n).toLocaleString('en-US');
  for (const l of runs)
    console.log(
      `| HTCondor (fake) row exit → WebSocket event, ${l.jobReports ? 'job reports on (default)' : 'reports off'}, default poll (${JOBS} jobs) | p50 ${f(l.p50)} ms, p95 ${f(l.p95)} ms, max ${f(l.max)} ms |`
    );
  process.exit(0);
})().catch(e => {
  console.error(e);
  process.exit(1);
});
