#!/usr/bin/env node
/**
 * Slurm backend benchmarks on the single-node Slurm of scripts/slurm-up:
 *  - submit() of a 10,000-row batch: ⌈rows / MaxArraySize⌉ sbatch calls, with the live
 *    MaxArraySize and with a 1,001 cap (Slurm's default);
 *  - the same rows one sbatch per row (the first 500, extrapolated);
 *  - one poll() with 10,000 active tasks, with the text query (squeue -r -o) and with
 *    squeue --json, once while the array is unsplit and once split into 10,000 records.
 * Tasks are submitted held (--hold) so the machine measures submission and polling only;
 * everything is cancelled at the end.
 * Usage: node bench/slurm-submit.js [--rows 10000] [--loop 500]
 * Needs the compiled server (npm run build -w kernel-ext) and root (for slurm-up).
 */
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { arg } = require('./lib');

const ROOT = path.join(__dirname, '..');
const { SlurmBackend } = require(path.join(ROOT, 'kernel-ext', 'dist', 'backends', 'slurm'));
const { prepareWorkDir } = require(path.join(ROOT, 'kernel-ext', 'dist', 'backends', 'workdir'));
const { sbatchArgv, resourceArgs } = require(
  path.join(ROOT, 'kernel-ext', 'dist', 'backends', 'slurm-script')
);

const ROWS = arg('rows', 10000);
const LOOP = arg('loop', 500);

const log = { debug() {}, info() {}, warn: console.warn, error: console.error };
const ms = t => Number(process.hrtime.bigint() - t) / 1e6;
const now = () => process.hrtime.bigint();

async function backend(root, cfg) {
  const b = new SlurmBackend({ extraSbatchArgs: ['--hold'], ...cfg });
  await b.init({ log, emit() {}, stateDir: path.join(root, 'state') });
  return b;
}

async function main() {
  execFileSync(path.join(ROOT, 'scripts', 'slurm-up'), { stdio: 'inherit' });
  const maxArray = Number(
    /MaxArraySize\s*=\s*(\d+)/.exec(
      execFileSync('scontrol', ['show', 'config'], { encoding: 'utf8' })
    )[1]
  );
  fs.mkdirSync('/var/tmp/bulkrun-bench', { recursive: true });
  const root = fs.mkdtempSync('/var/tmp/bulkrun-bench/slurm-');
  const items = [];
  for (let i = 0; i < ROWS; i++) {
    const workDir = path.join(root, 'jobs', `r${i}`);
    prepareWorkDir(workDir, ['true'], {});
    items.push({
      jobId: `r${i}`,
      batchId: 'b',
      role: 'task',
      index: i,
      workDir,
      argv: ['true'],
      resources: {},
      priority: 0,
    });
  }
  const results = { rows: ROWS, maxArraySize: maxArray };
  const cancelIds = [];

  // 1. One submission of all rows, live MaxArraySize.
  const b = await backend(root, {});
  let t = now();
  const out = await b.submit({ groupId: 'bench-all', items, maxParallel: null });
  results.submitArrayMs = ms(t);
  results.submitArrayCalls = new Set(out.map(o => o.backendJobId.split('_')[0])).size;
  if (out.some(o => o.error)) throw new Error(out.find(o => o.error).error);

  // 2. Same rows, capped at Slurm's default MaxArraySize (1001).
  const b1001 = await backend(root, { maxArraySize: 1001 });
  t = now();
  const out1001 = await b1001.submit({ groupId: 'bench-1001', items, maxParallel: null });
  results.submit1001Ms = ms(t);
  results.submit1001Calls = new Set(out1001.map(o => o.backendJobId.split('_')[0])).size;
  for (const o of out1001) cancelIds.push(o.backendJobId);

  // 3. One sbatch per row, as a per-job submitter would do.
  const state = path.join(root, 'state');
  t = now();
  for (let i = 0; i < LOOP; i++) {
    const map = path.join(state, 'submit', `loop.${i}.map`);
    fs.writeFileSync(map, items[i].workDir + '\n');
    const argv = sbatchArgv({
      sbatch: 'sbatch',
      jobName: `bulkrun:loop:${i}`,
      comment: 'bulkrun:loop',
      count: 1,
      nice: 100,
      resourceArgs: resourceArgs({}),
      extraArgs: ['--hold'],
      output: '/dev/null',
      chdir: state,
      script: path.join(state, 'array-task.sh'),
      mapFile: map,
      wrapper: path.join(state, 'wrapper.sh'),
    });
    const id = execFileSync(argv[0], argv.slice(1), { encoding: 'utf8' }).trim();
    cancelIds.push(`${id}_0`);
  }
  results.loopRows = LOOP;
  results.loopMs = ms(t);
  results.loopExtrapolatedMs = (results.loopMs / LOOP) * ROWS;
  execFileSync('scancel', [...new Set(cancelIds.map(id => id.split('_')[0]))]);

  // 4. Poll cost with ROWS active tasks (unsplit pending array, then split records).
  const tracked = out.map(o => ({
    jobId: o.jobId,
    backendJobId: o.backendJobId,
    groupId: 'bench-all',
    workDir: items[Number(o.jobId.slice(1))].workDir,
    status: 'queued',
  }));
  const bj = await backend(root, { queryFormat: 'json' });
  const pollTimes = async (bk, label) => {
    const times = [];
    for (let i = 0; i < 3; i++) {
      t = now();
      const u = await bk.poll(tracked);
      times.push(ms(t));
      if (u.length) throw new Error(`unexpected updates: ${JSON.stringify(u[0])}`);
    }
    results[label] = Math.min(...times);
  };
  await pollTimes(b, 'pollTextUnsplitMs');
  await pollTimes(bj, 'pollJsonUnsplitMs');
  // Holding each task by id splits the array into one record per task, as running and
  // finished tasks are (a range update would leave it one record).
  const arrayId = out[0].backendJobId.split('_')[0];
  t = now();
  execFileSync('scontrol', ['hold', ...out.map(o => o.backendJobId)], { stdio: 'ignore' });
  results.splitMs = ms(t);
  results.splitRecords = JSON.parse(
    execFileSync('squeue', ['--json'], { maxBuffer: 1 << 30 })
  ).jobs.filter(j => String(j.array_job_id) === arrayId).length;
  await pollTimes(b, 'pollTextSplitMs');
  await pollTimes(bj, 'pollJsonSplitMs');
  const q = (argv, label) => {
    t = now();
    results[label + 'Bytes'] = execFileSync(argv[0], argv.slice(1), { maxBuffer: 1 << 30 }).length;
    results[label + 'Ms'] = ms(t);
  };
  q(['squeue', '--json'], 'squeueJson');
  q(
    ['squeue', '-h', '-r', '-t', 'all', '-u', 'root', '-o', '%i|%F|%K|%T|%r|%S|%e|%j'],
    'squeueText'
  );

  // 5. Cancel of every row: scancel calls with ranges.
  t = now();
  await b.cancel(tracked);
  results.cancelMs = ms(t);
  await b.close();
  fs.rmSync(root, { recursive: true, force: true });
  for (const [k, v] of Object.entries(results))
    console.log(`${k.padEnd(22)} ${typeof v === 'number' ? Math.round(v * 10) / 10 : v}`);
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
