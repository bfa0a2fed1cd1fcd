/**
 * A small stand-in for an HTCondor schedd, shared by the fake condor_* commands in this
 * directory. It keeps its queue and history as JSON in $FAKE_CONDOR_STATE and runs jobs
 * for real: a started proc is `Cmd Arguments` in Iwd (here: bash + the Bulkrun wrapper),
 * detached, with stdout/stderr to Out/Err. Each command invocation first "ticks" the
 * schedd: finished processes become completed ads and leave the queue for the history,
 * idle procs start while slots are free, late-materialized procs materialize.
 * Output formats follow the HTCondor manual and sources (see docs/HTCONDOR.md).
 */
'use strict';
const fs = require('fs');
const path = require('path');
const os = require('os');
const { spawn } = require('child_process');

const STATE = process.env.FAKE_CONDOR_STATE;

function die(msg, code = 1) {
  process.stderr.write(msg.endsWith('\n') ? msg : msg + '\n');
  process.exit(code);
}

function requireState() {
  if (!STATE) die('ERROR: FAKE_CONDOR_STATE is not set (the fake HTCondor keeps its queue there)');
  fs.mkdirSync(path.join(STATE, 'rc'), { recursive: true });
  return STATE;
}

function logCall(name, argv) {
  fs.appendFileSync(path.join(STATE, 'calls.log'), JSON.stringify([name, ...argv]) + '\n');
}

/** The schedd is unreachable: $FAKE_CONDOR_DOWN set, or a file `down` in the state dir. */
function isDown() {
  return !!process.env.FAKE_CONDOR_DOWN || fs.existsSync(path.join(STATE, 'down'));
}

function sleepMs(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function withLock(fn) {
  const lock = path.join(STATE, 'lock');
  const deadline = Date.now() + 30000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      // A holder that died leaves the lock behind: break it after a while.
      try {
        if (Date.now() - fs.statSync(lock).mtimeMs > 20000) fs.rmdirSync(lock);
      } catch {
        // ignored: best effort
      }
      if (Date.now() > deadline) die('ERROR: fake schedd lock timeout');
      sleepMs(5);
    }
  }
  try {
    return fn();
  } finally {
    fs.rmdirSync(lock);
  }
}

function readJson(file, dflt) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return dflt;
  }
}

function writeJson(file, data) {
  const tmp = file + '.tmp';
  fs.writeFileSync(tmp, JSON.stringify(data));
  fs.renameSync(tmp, file);
}

function load() {
  return {
    queue: readJson(path.join(STATE, 'queue.json'), []),
    history: readJson(path.join(STATE, 'history.json'), []),
    nextCluster: readJson(path.join(STATE, 'next_cluster.json'), 1),
  };
}

function save(s) {
  writeJson(path.join(STATE, 'queue.json'), s.queue);
  writeJson(path.join(STATE, 'history.json'), s.history);
  writeJson(path.join(STATE, 'next_cluster.json'), s.nextCluster);
}

const now = () => Math.floor(Date.now() / 1000);
const idOf = ad => `${ad.ClusterId}.${ad.ProcId}`;

function alive(pid) {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie is not running.
  try {
    const st = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/\) Z /.test(st);
  } catch {
    return true;
  }
}

function killGroup(pid, sig) {
  try {
    process.kill(-pid, sig);
  } catch {
    // ignored: best effort
  }
}

function setStatus(ad, st) {
  if (ad.JobStatus !== st) ad.LastJobStatus = ad.JobStatus;
  ad.JobStatus = st;
  ad.EnteredCurrentStatus = now();
}

function userLog(ad, code, text) {
  if (!ad.UserLog) return;
  const d = new Date();
  const ts = `${String(d.getMonth() + 1).padStart(2, '0')}/${String(d.getDate()).padStart(2, '0')} ${d.toTimeString().slice(0, 8)}`;
  const id = `(${String(ad.ClusterId).padStart(3, '0')}.${String(ad.ProcId).padStart(3, '0')}.000)`;
  try {
    fs.appendFileSync(ad.UserLog, `${code} ${id} ${ts} ${text}\n...\n`);
  } catch {
    // ignored: best effort
  }
}

function hold(ad, code, subCode, reason) {
  if (ad._pid && alive(ad._pid)) killGroup(ad._pid, 'SIGKILL');
  ad._pid = null;
  setStatus(ad, 5);
  ad.HoldReason = reason;
  ad.HoldReasonCode = code;
  ad.HoldReasonSubCode = subCode;
  userLog(ad, '012', `Job was held.\n\t${reason}\n\tCode ${code} Subcode ${subCode}`);
}

/** A python3 for starter.py: $FAKE_CONDOR_PYTHON, else the first on PATH; null if none. */
function python3() {
  if (process.env.FAKE_CONDOR_PYTHON) return process.env.FAKE_CONDOR_PYTHON;
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    const p = path.join(dir || '.', 'python3');
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return null;
}

/** What starter.py measured of a finished job: the usage attributes of its final ad. */
function readUsage(rcFile) {
  try {
    const u = JSON.parse(fs.readFileSync(rcFile + '.usage', 'utf8'));
    return u && typeof u === 'object' ? u : null;
  } catch {
    return null;
  }
}

function startJob(ad) {
  const rcFile = path.join(STATE, 'rc', idOf(ad));
  const iwd = ad.Iwd;
  if (!fs.existsSync(iwd)) {
    hold(
      ad,
      14,
      2,
      `Error from slot1@${os.hostname()}: Failed to open '${iwd}' as initial working directory: No such file or directory (errno 2)`
    );
    return;
  }
  if (!fs.existsSync(ad.Cmd)) {
    hold(
      ad,
      6,
      2,
      `Error from slot1@${os.hostname()}: Failed to execute '${ad.Cmd}': (errno=2: 'No such file or directory')`
    );
    return;
  }
  const open = f => fs.openSync(f ? path.resolve(iwd, f) : '/dev/null', 'a');
  const out = open(ad.Out);
  const err = open(ad.Err);
  const rc = fs.openSync(rcFile, 'w');
  fs.rmSync(rcFile + '.usage', { force: true }); // a released job's earlier run
  // A minimal environment, as HTCondor gives (no inherited PATH), plus the job's `environment`.
  const env = {
    ...(ad._env || {}),
    _CONDOR_SCRATCH_DIR: iwd,
    _CONDOR_SLOT: 'slot1',
    BATCH_SYSTEM: 'HTCondor',
  };
  // The starter: runs the job and records its exit status where the fake schedd finds it,
  // and (starter.py, where there is a python3) what the job used, for the completed ad.
  const py = python3();
  const argv = py
    ? [
        py,
        [
          path.join(__dirname, 'starter.py'),
          rcFile + '.usage',
          String(Number(process.env.FAKE_CONDOR_REPORT_DELAY_MS) || 0),
          ad.Cmd,
          ...(ad._args || []),
        ],
      ]
    : ['/bin/sh', ['-c', '"$@" 3>&-; echo $? >&3', 'starter', ad.Cmd, ...(ad._args || [])]];
  const child = spawn(argv[0], argv[1], {
    cwd: iwd,
    detached: true,
    stdio: ['ignore', out, err, rc],
    env,
  });
  fs.closeSync(out);
  fs.closeSync(err);
  fs.closeSync(rc);
  child.unref();
  ad._pid = child.pid;
  setStatus(ad, 2);
  const t = now();
  if (!ad.JobStartDate) ad.JobStartDate = t;
  ad.JobCurrentStartDate = t;
  ad.NumJobStarts = (ad.NumJobStarts || 0) + 1;
  ad.RemoteHost = `slot1@${os.hostname()}`;
  userLog(ad, '001', `Job executing on host: <127.0.0.1:9618>`);
}

/** The schedd's periodic work, done at the start of every command. */
function tick(s) {
  const slots = Number(process.env.FAKE_CONDOR_SLOTS || 64);
  const paused = !!process.env.FAKE_CONDOR_PAUSED || fs.existsSync(path.join(STATE, 'paused'));
  const keep = [];
  for (const ad of s.queue) {
    const rcFile = path.join(STATE, 'rc', idOf(ad));
    if (ad.JobStatus === 2 || ad.JobStatus === 7) {
      let rc = null;
      try {
        const txt = fs.readFileSync(rcFile, 'utf8');
        if (txt.endsWith('\n')) rc = Number(txt.trim());
      } catch {
        // ignored: best effort
      }
      if (rc !== null || !alive(ad._pid)) {
        setStatus(ad, 4);
        ad.CompletionDate = now();
        if (rc === null || rc > 128) {
          ad.ExitBySignal = true;
          ad.ExitSignal = rc === null ? 9 : rc - 128;
        } else {
          ad.ExitBySignal = false;
          ad.ExitCode = rc;
        }
        ad.RemoteWallClockTime = ad.CompletionDate - (ad.JobCurrentStartDate || ad.CompletionDate);
        const u = readUsage(rcFile);
        if (u) {
          // As HTCondor's final ad has them: ResidentSetSize (KiB, peak; MemoryUsage stays the
          // expression over it), CPU and wall seconds, DiskUsage (KiB).
          ad.ResidentSetSize = u.ResidentSetSize;
          ad.ResidentSetSize_RAW = u.ResidentSetSize;
          ad.RemoteUserCpu = u.RemoteUserCpu;
          ad.RemoteSysCpu = u.RemoteSysCpu;
          ad.RemoteWallClockTime = u.RemoteWallClockTime;
          ad.DiskUsage = u.DiskUsage;
          ad.DiskUsage_RAW = u.DiskUsage;
        }
        ad._pid = null;
        userLog(
          ad,
          '005',
          `Job terminated.\n\t(1) Normal termination (return value ${ad.ExitCode ?? 'signal'})`
        );
      }
    }
    if (ad.JobStatus === 3 && ad._pid && alive(ad._pid)) {
      if (now() - ad.EnteredCurrentStatus >= 3) killGroup(ad._pid, 'SIGKILL');
      keep.push(ad);
      continue;
    }
    if (ad.JobStatus === 3 || ad.JobStatus === 4) {
      // Finished jobs leave the queue; their final ad goes to the history file.
      if (ad.JobStatus === 3) userLog(ad, '009', 'Job was aborted.');
      if (!process.env.FAKE_CONDOR_NO_HISTORY) s.history.push(ad);
      continue;
    }
    keep.push(ad);
  }
  s.queue = keep;
  // Late materialization: at most JobMaterializeLimit procs of a cluster exist as jobs.
  const materialized = new Map();
  for (const ad of s.queue)
    if (ad._materialized) materialized.set(ad.ClusterId, (materialized.get(ad.ClusterId) || 0) + 1);
  for (const ad of s.queue) {
    if (ad._materialized) continue;
    const limit = ad.JobMaterializeLimit || Infinity;
    const n = materialized.get(ad.ClusterId) || 0;
    if (n < limit) {
      ad._materialized = true;
      ad.QDate = ad.QDate || now();
      setStatus(ad, 1);
      materialized.set(ad.ClusterId, n + 1);
    }
  }
  if (paused) return;
  let running = s.queue.filter(a => a.JobStatus === 2).length;
  const idle = s.queue
    .filter(a => a._materialized && a.JobStatus === 1)
    .sort(
      (a, b) =>
        (b.JobPrio || 0) - (a.JobPrio || 0) || a.ClusterId - b.ClusterId || a.ProcId - b.ProcId
    );
  for (const ad of idle) {
    if (running >= slots) break;
    startJob(ad);
    if (ad.JobStatus === 2) running++;
  }
}

/** The public view of an ad: internal `_` fields dropped. */
function publicAd(ad) {
  const out = {};
  for (const [k, v] of Object.entries(ad)) if (!k.startsWith('_')) out[k] = v;
  return out;
}

/** ClassAd JSON as the HTCondor tools print it (ClassAdJsonUnParser): 2-space indent, `\/Expr(...)\/`. */
function adJson(ad, attrs) {
  let entries = Object.entries(publicAd(ad));
  if (attrs) {
    const want = new Set(attrs.map(a => a.toLowerCase()));
    entries = entries.filter(([k]) => want.has(k.toLowerCase()));
  }
  entries.sort((a, b) => a[0].localeCompare(b[0]));
  const body = entries
    .map(([k, v]) => {
      let j = JSON.stringify(v);
      if (typeof v === 'string' && /^\/Expr\(.*\)\/$/s.test(v))
        j = '"\\/Expr(' + JSON.stringify(v.slice(6, -2)).slice(1, -1) + ')\\/"';
      return `  ${JSON.stringify(k)}: ${j}`;
    })
    .join(',\n');
  return `{\n${body}\n}`;
}

function printJsonAds(ads, attrs, alwaysBrackets) {
  if (ads.length === 0) {
    // condor_q prints nothing at all; condor_history writes its brackets regardless.
    if (alwaysBrackets) process.stdout.write('[\n]\n');
    return;
  }
  process.stdout.write('[\n' + ads.map(a => adJson(a, attrs)).join('\n,\n') + '\n]\n');
}

// ---- ClassAd constraint evaluation (the subset Bulkrun and admins use) ----

function tokenize(src) {
  const toks = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const three = src.slice(i, i + 3);
    const two = src.slice(i, i + 2);
    if (three === '=!=' || three === '=?=') {
      toks.push({ t: 'op', v: three });
      i += 3;
    } else if (['==', '!=', '>=', '<=', '&&', '||'].includes(two)) {
      toks.push({ t: 'op', v: two });
      i += 2;
    } else if ('<>!(){},'.includes(c)) {
      toks.push({ t: 'op', v: c });
      i++;
    } else if (c === '"') {
      let j = i + 1;
      let s = '';
      while (j < src.length && src[j] !== '"') {
        if (src[j] === '\\') j++;
        s += src[j++];
      }
      if (j >= src.length) throw new Error('unterminated string');
      toks.push({ t: 'str', v: s });
      i = j + 1;
    } else if (/[0-9]/.test(c)) {
      const m = /^\d+(\.\d+)?/.exec(src.slice(i));
      toks.push({ t: 'num', v: Number(m[0]) });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(src.slice(i));
      toks.push({ t: 'id', v: m[0] });
      i += m[0].length;
    } else {
      throw new Error(`unexpected '${c}'`);
    }
  }
  return toks;
}

const UNDEF = Symbol('undefined');

function parseConstraint(src) {
  const toks = tokenize(src);
  let p = 0;
  const peek = () => toks[p];
  const eat = v => {
    const t = toks[p];
    if (!t || t.v !== v) throw new Error(`expected '${v}'`);
    p++;
  };
  function primary() {
    const t = toks[p++];
    if (!t) throw new Error('unexpected end');
    if (t.t === 'num' || t.t === 'str') return () => t.v;
    if (t.t === 'op' && t.v === '(') {
      const e = or();
      eat(')');
      return e;
    }
    if (t.t === 'op' && t.v === '!') {
      const e = primary();
      return ad => {
        const v = e(ad);
        return v === UNDEF ? UNDEF : !v;
      };
    }
    if (t.t === 'op' && t.v === '{') {
      const items = [];
      while (peek() && peek().v !== '}') {
        items.push(or());
        if (peek() && peek().v === ',') p++;
      }
      eat('}');
      return ad => items.map(f => f(ad));
    }
    if (t.t === 'id') {
      const low = t.v.toLowerCase();
      if (low === 'true') return () => true;
      if (low === 'false') return () => false;
      if (low === 'undefined') return () => UNDEF;
      if (peek() && peek().v === '(') {
        p++;
        const args = [];
        while (peek() && peek().v !== ')') {
          args.push(or());
          if (peek() && peek().v === ',') p++;
        }
        eat(')');
        if (low === 'member') {
          return ad => {
            const x = args[0](ad);
            const list = args[1](ad);
            if (x === UNDEF || !Array.isArray(list)) return UNDEF;
            return list.some(v => eq(v, x) === true);
          };
        }
        throw new Error(`unknown function ${t.v}`);
      }
      const name = t.v.replace(/^(my|target)\./i, '');
      return ad => {
        const key = Object.keys(ad).find(k => k.toLowerCase() === name.toLowerCase());
        const v = key === undefined ? UNDEF : ad[key];
        return v === null ? UNDEF : v;
      };
    }
    throw new Error(`unexpected '${t.v}'`);
  }
  function eq(a, b) {
    if (a === UNDEF || b === UNDEF) return UNDEF;
    if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
    return a === b;
  }
  function cmp() {
    let left = primary();
    while (peek() && ['==', '!=', '>=', '<=', '<', '>', '=!=', '=?='].includes(peek().v)) {
      const op = toks[p++].v;
      const right = primary();
      const l = left;
      left = ad => {
        const a = l(ad);
        const b = right(ad);
        if (op === '=?=') return a === b;
        if (op === '=!=') return a !== b;
        if (a === UNDEF || b === UNDEF) return UNDEF;
        switch (op) {
          case '==':
            return eq(a, b);
          case '!=':
            return !eq(a, b);
          case '>=':
            return a >= b;
          case '<=':
            return a <= b;
          case '<':
            return a < b;
          default:
            return a > b;
        }
      };
    }
    return left;
  }
  function and() {
    let left = cmp();
    while (peek() && peek().v === '&&') {
      p++;
      const right = cmp();
      const l = left;
      left = ad => {
        const a = l(ad);
        if (a === false) return false;
        const b = right(ad);
        if (b === false) return false;
        return a === UNDEF || b === UNDEF ? UNDEF : true;
      };
    }
    return left;
  }
  function or() {
    let left = and();
    while (peek() && peek().v === '||') {
      p++;
      const right = and();
      const l = left;
      left = ad => {
        const a = l(ad);
        if (a === true) return true;
        const b = right(ad);
        if (b === true) return true;
        return a === UNDEF || b === UNDEF ? UNDEF : false;
      };
    }
    return left;
  }
  const e = or();
  if (p !== toks.length) throw new Error(`unexpected '${toks[p].v}'`);
  return ad => e(ad) === true;
}

/** Common options of condor_q / condor_history / condor_rm. */
function parseArgs(argv, valued) {
  const opts = { positional: [], constraints: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('-')) {
      const name = a.replace(/^-+/, '').toLowerCase();
      if (name === 'constraint') opts.constraints.push(argv[++i]);
      else if (valued.includes(name)) opts[name] = argv[++i];
      else opts[name] = true;
    } else {
      opts.positional.push(a);
    }
  }
  return opts;
}

/** Cluster / cluster.proc arguments and -constraint as one predicate (any matches). */
function selector(opts) {
  const preds = [];
  for (const c of opts.constraints) {
    let f;
    try {
      f = parseConstraint(c);
    } catch (e) {
      die(`Error: Parse error of constraint expression "${c}" (${e.message})`);
    }
    preds.push(f);
  }
  for (const pos of opts.positional) {
    const m = /^(\d+)(?:\.(\d+))?$/.exec(pos);
    if (m)
      preds.push(
        ad => ad.ClusterId === Number(m[1]) && (m[2] === undefined || ad.ProcId === Number(m[2]))
      );
    else preds.push(ad => String(ad.Owner) === pos);
  }
  return preds.length === 0 ? () => true : ad => preds.some(f => f(ad));
}

const SCHEDD_DOWN_Q =
  '\n-- Failed to fetch ads from: <127.0.0.1:9618?addrs=127.0.0.1-9618&sock=schedd_1_1> : fake-schedd\nSECMAN:2007:Failed to end classad message.\n';

module.exports = {
  STATE,
  die,
  requireState,
  logCall,
  isDown,
  withLock,
  load,
  save,
  tick,
  now,
  idOf,
  alive,
  killGroup,
  setStatus,
  hold,
  userLog,
  publicAd,
  printJsonAds,
  parseConstraint,
  parseArgs,
  selector,
  SCHEDD_DOWN_Q,
};
