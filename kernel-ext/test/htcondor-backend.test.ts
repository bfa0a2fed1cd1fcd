/**
 * The HTCondor backend's whole lifecycle against the fake condor_* commands: real
 * condor_submit/condor_q/... processes, the real job wrapper running real jobs in real
 * work dirs. The fakes follow the formats of the HTCondor manual (see test/fakes/condor).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { execFile } from 'child_process';
import {
  BackendUnavailable,
  type StatusUpdate,
  type SubmitItem,
  type TrackedJob,
} from '../src/backends/base';
import { HTCondorBackend, type HTCondorConfig } from '../src/backends/htcondor';
import { prepareWorkDir, readExit } from '../src/backends/workdir';
import { useFakeCondor, type FakeCondor } from './fakes/condor';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

let root: string;
let fake: FakeCondor;
/** Backends of the current test, closed after it (their usage follow-up timers stop). */
let opened: HTCondorBackend[] = [];

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'htcondor-test-'));
  fake = useFakeCondor(path.join(root, 'schedd'));
});

afterEach(async () => {
  for (const b of opened) await b.close();
  opened = [];
  // Stop anything still running from this test's fake schedd.
  fake.pause(true);
  try {
    const q = JSON.parse(fs.readFileSync(path.join(fake.stateDir, 'queue.json'), 'utf8')) as {
      _pid?: number;
    }[];
    for (const ad of q) if (ad._pid) process.kill(-ad._pid, 'SIGKILL');
  } catch {
    // nothing queued
  }
  fake.restore();
});

async function backend(cfg: HTCondorConfig = {}): Promise<HTCondorBackend> {
  const b = new HTCondorBackend({ pollIntervalMs: 100, exitRecordGraceMs: 0, ...cfg });
  opened.push(b);
  await b.init({ log: silent, emit: () => undefined, stateDir: path.join(root, 'state') });
  return b;
}

function job(id: string, argv: string[], over: Partial<SubmitItem> = {}): SubmitItem {
  const workDir = path.join(root, 'jobs', id);
  prepareWorkDir(workDir, argv, { PATH: process.env.PATH ?? '/usr/bin:/bin', MARK: `row-${id}` });
  return {
    jobId: id,
    batchId: 'b1',
    role: 'task',
    index: 0,
    workDir,
    argv,
    resources: { memory: '1G' },
    priority: 0,
    ...over,
  };
}

function track(
  items: SubmitItem[],
  ids: Map<string, string | undefined>,
  groupId = 'g1'
): TrackedJob[] {
  return items.map(it => ({
    jobId: it.jobId,
    backendJobId: ids.get(it.jobId) ?? null,
    groupId,
    workDir: it.workDir,
    status: 'queued',
  }));
}

/** Polls like the engine: applies updates to the tracked set until every job is terminal. */
async function pollUntilDone(b: HTCondorBackend, jobs: TrackedJob[], timeoutMs = 20000) {
  const final = new Map<string, StatusUpdate>();
  const seen: StatusUpdate[] = [];
  const deadline = Date.now() + timeoutMs;
  let polls = 0;
  while (final.size < jobs.length) {
    if (Date.now() > deadline)
      throw new Error(
        `timeout; still active: ${jobs.filter(j => !final.has(j.jobId)).map(j => j.jobId)}`
      );
    const active = jobs.filter(j => !final.has(j.jobId));
    const updates = await b.poll(active);
    polls++;
    for (const u of updates) {
      seen.push(u);
      const j = jobs.find(x => x.jobId === u.jobId);
      // A finished job's later update carries only its usage (its final ad came late).
      if (!j || final.has(u.jobId)) continue;
      j.status = u.status;
      if (['completed', 'error', 'terminated'].includes(u.status)) final.set(u.jobId, u);
    }
    await new Promise(r => setTimeout(r, 100));
  }
  return { final, seen, polls };
}

const outcomesMap = (o: { jobId: string; backendJobId?: string }[]) =>
  new Map(o.map(x => [x.jobId, x.backendJobId]));

test('a batch is one condor_submit; jobs run through the real wrapper; one condor_q per poll', async () => {
  const b = await backend();
  const items = [
    job('a', ['sh', '-c', 'echo "out $MARK"; echo err >&2']),
    job('b', ['sh', '-c', 'exit 3']),
    job('c', ['printf', '%s', 'literal $HOME; rm -rf /']),
  ];
  const out = await b.submit({ groupId: 'g1', items, maxParallel: null });
  expect(out.map(o => o.backendJobId)).toEqual(['1.0', '1.1', '1.2']);
  expect(out.every(o => !o.error)).toBe(true);
  expect(fake.calls().filter(c => c[0] === 'condor_submit')).toHaveLength(1);
  const before = fake.calls().length;
  const { final, polls } = await pollUntilDone(b, track(items, outcomesMap(out)));
  expect(final.get('a')).toMatchObject({ status: 'completed', exitCode: 0 });
  expect(final.get('b')).toMatchObject({
    status: 'error',
    exitCode: 3,
    error: { code: 'job_crashed' },
  });
  expect(final.get('c')!.status).toBe('completed');
  expect(fs.readFileSync(path.join(root, 'jobs/a/stdout.log'), 'utf8')).toBe('out row-a\n');
  expect(fs.readFileSync(path.join(root, 'jobs/a/stderr.log'), 'utf8')).toBe('err\n');
  expect(fs.readFileSync(path.join(root, 'jobs/c/stdout.log'), 'utf8')).toBe(
    'literal $HOME; rm -rf /'
  );
  const calls = fake.calls().slice(before);
  expect(calls.filter(c => c[0] === 'condor_q')).toHaveLength(polls);
  expect(calls.filter(c => c[0] === 'condor_history').length).toBeLessThanOrEqual(polls);
  // The submit description and itemdata are kept in the state dir for inspection.
  const sub = fs.readFileSync(path.join(root, 'state/submit/g1.sub'), 'utf8');
  expect(sub).toContain('queue jobid,workdir from ' + path.join(root, 'state/submit/g1.items'));
});

test('running jobs are reported once, with their start time', async () => {
  const b = await backend();
  const items = [job('s', ['sleep', '2'])];
  const out = await b.submit({ groupId: 'g1', items });
  const tracked = track(items, outcomesMap(out));
  let running: StatusUpdate | undefined;
  for (let i = 0; i < 30 && !running; i++) {
    running = (await b.poll(tracked)).find(u => u.status === 'running');
    await new Promise(r => setTimeout(r, 100));
  }
  expect(running).toMatchObject({ status: 'running', backendJobId: '1.0' });
  expect(Date.parse(running!.startedAt!)).toBeGreaterThan(Date.now() - 60_000);
  tracked[0].status = 'running';
  expect(await b.poll(tracked)).toEqual([]);
  const { final } = await pollUntilDone(b, tracked);
  expect(final.get('s')!.status).toBe('completed');
});

test('held jobs become errors with the hold reason and are removed from the queue', async () => {
  const b = await backend();
  fake.pause(true);
  const items = [job('h', ['true'])];
  const out = await b.submit({ groupId: 'g1', items });
  await runFake('condor_hold', [
    '-reason',
    'Input file missing on the execute node',
    out[0].backendJobId!,
  ]);
  const tracked = track(items, outcomesMap(out));
  const updates = await b.poll(tracked);
  expect(updates).toEqual([
    expect.objectContaining({
      jobId: 'h',
      status: 'error',
      error: {
        code: 'held',
        message: expect.stringContaining('Input file missing on the execute node'),
      },
    }),
  ]);
  expect(fake.calls().some(c => c[0] === 'condor_rm' && c.includes('1.0'))).toBe(true);
  // Released later by someone else, it could never run: it left the queue.
  const q = await runFake('condor_q', ['-json', '1']);
  expect(q.stdout).toBe('');
});

test('transient holds are released once, then reported', async () => {
  const b = await backend({ releaseTransientHolds: true, transientHoldCodes: [13] });
  fake.pause(true);
  const items = [job('t', ['true'])];
  const out = await b.submit({ groupId: 'g1', items });
  const tracked = track(items, outcomesMap(out));
  process.env.FAKE_CONDOR_HOLD_CODE = '13';
  try {
    await runFake('condor_hold', ['-reason', 'Transfer input files failure', '1.0']);
    expect(await b.poll(tracked)).toEqual([]);
    expect(fake.calls().filter(c => c[0] === 'condor_release')).toEqual([
      ['condor_release', '1.0'],
    ]);
    await runFake('condor_hold', ['-reason', 'Transfer input files failure again', '1.0']);
    const second = await b.poll(tracked);
    expect(second[0]).toMatchObject({
      status: 'error',
      error: { code: 'held', message: expect.stringContaining('again') },
    });
    expect(fake.calls().filter(c => c[0] === 'condor_release')).toHaveLength(1);
  } finally {
    delete process.env.FAKE_CONDOR_HOLD_CODE;
  }
});

test('cancel removes queued and running jobs; cancelling again is not an error', async () => {
  const b = await backend();
  const items = [
    job('r', ['sleep', '30']),
    job('q', ['true'], { resources: { memory: '1G', cpus: 1 } }),
  ];
  const out = await b.submit({ groupId: 'g1', items });
  const tracked = track(items, outcomesMap(out));
  // Wait until the first one runs.
  for (let i = 0; i < 50; i++) {
    if (fs.existsSync(path.join(root, 'jobs/r/started'))) break;
    await new Promise(r => setTimeout(r, 100));
  }
  await b.cancel(tracked);
  await b.cancel(tracked);
  const { final } = await pollUntilDone(b, tracked);
  expect(final.get('r')).toMatchObject({
    status: 'terminated',
    reason: expect.stringContaining('condor_rm'),
  });
  expect(readExit(path.join(root, 'jobs/r'))).toBeNull();
});

test('maxParallel: late materialization keeps at most N running; a cancelled unmaterialized row never runs', async () => {
  const b = await backend();
  expect(b.nativeMaxParallel).toBe(true);
  const items = Array.from({ length: 5 }, (_, i) =>
    job(`p${i}`, ['sh', '-c', 'date +%s%N > begin; sleep 0.4; date +%s%N > end'])
  );
  const out = await b.submit({ groupId: 'g1', items, maxParallel: 2 });
  expect(out.map(o => o.backendJobId)).toEqual(['1.0', '1.1', '1.2', '1.3', '1.4']);
  expect(fs.readFileSync(path.join(root, 'state/submit/g1.sub'), 'utf8')).toContain(
    'max_materialize = 2\n'
  );
  const tracked = track(items, outcomesMap(out));
  // Row 4 is cancelled while it is not yet a job in the schedd.
  await b.cancel([tracked[4]]);
  const { final } = await pollUntilDone(b, tracked.slice(0, 4));
  expect([...final.values()].every(u => u.status === 'completed')).toBe(true);
  const spans = [0, 1, 2, 3].map(i => {
    const d = path.join(root, 'jobs', `p${i}`);
    return [
      Number(fs.readFileSync(path.join(d, 'begin'), 'utf8')),
      Number(fs.readFileSync(path.join(d, 'end'), 'utf8')),
    ];
  });
  const maxOverlap = Math.max(
    ...spans.map(([s]) => spans.filter(([a, e]) => a <= s && s < e).length)
  );
  expect(maxOverlap).toBeLessThanOrEqual(2);
  // Let the schedd materialize and "run" proc 4: the entry script refuses it.
  let proc4 = '';
  for (let i = 0; i < 50 && !proc4.includes('ExitCode'); i++) {
    proc4 = (
      await runFake('condor_history', [
        '-json',
        '-attributes',
        'ProcId,ExitCode,NumJobStarts',
        '1.4',
      ])
    ).stdout;
    if (!proc4.includes('ExitCode')) await new Promise(r => setTimeout(r, 100));
  }
  expect(JSON.parse(proc4)).toEqual([{ ExitCode: 0, NumJobStarts: 1, ProcId: 4 }]);
  expect(fs.existsSync(path.join(root, 'jobs/p4/started'))).toBe(false);
});

test('above maxJobsPerSubmission without late materialization: chunks of clusters', async () => {
  const b = await backend({ maxJobsPerSubmission: 2, lateMaterialize: false });
  expect(b.nativeMaxParallel).toBe(false);
  const items = Array.from({ length: 5 }, (_, i) => job(`c${i}`, ['true']));
  const out = await b.submit({ groupId: 'g1', items });
  expect(out.map(o => o.backendJobId)).toEqual(['1.0', '1.1', '2.0', '2.1', '3.0']);
  expect(fake.calls().filter(c => c[0] === 'condor_submit')).toHaveLength(3);
  const { final } = await pollUntilDone(b, track(items, outcomesMap(out)));
  expect([...final.values()].every(u => u.status === 'completed')).toBe(true);
});

test('the fake schedd enforces MAX_JOBS_PER_SUBMISSION: a refused submission fails each item with its message', async () => {
  process.env.FAKE_CONDOR_MAX_JOBS_PER_SUBMISSION = '2';
  try {
    const b = await backend({ lateMaterialize: false }); // our own cap left at 20,000: the schedd refuses
    const items = Array.from({ length: 3 }, (_, i) => job(`m${i}`, ['true']));
    const out = await b.submit({ groupId: 'g1', items });
    expect(out.every(o => o.error && /MAX_JOBS_PER_SUBMISSION/.test(o.error))).toBe(true);
  } finally {
    delete process.env.FAKE_CONDOR_MAX_JOBS_PER_SUBMISSION;
  }
});

test('condor_submit errors go to every item of the chunk; bad items fail alone', async () => {
  const b = await backend();
  const items = [job('x', ['true']), job('y', ['true'], { resources: { memory: 'plenty' } })];
  process.env.FAKE_CONDOR_SUBMIT_FAIL = 'Failed to commit job submission into the queue.';
  try {
    const out = await b.submit({ groupId: 'g1', items });
    expect(out[0].error).toMatch(/condor_submit failed: .*Failed to commit job submission/);
    expect(out[1].error).toMatch(/Invalid memory 'plenty'/);
  } finally {
    delete process.env.FAKE_CONDOR_SUBMIT_FAIL;
  }
});

test('an unreachable schedd: submit and poll throw BackendUnavailable, health says why', async () => {
  const b = await backend();
  const items = [job('u', ['true'])];
  fake.down(true);
  await expect(b.submit({ groupId: 'g1', items })).rejects.toBeInstanceOf(BackendUnavailable);
  await expect(
    b.poll([
      {
        jobId: 'u',
        backendJobId: '1.0',
        groupId: 'g1',
        workDir: items[0].workDir,
        status: 'queued',
      },
    ])
  ).rejects.toThrow(BackendUnavailable);
  const h = await b.health();
  expect(h.available).toBe(false);
  expect(h.detail).toMatch(/Failed to fetch ads/);
  fake.down(false);
  expect((await b.health()).available).toBe(true);
});

test('health when HTCondor is not installed', async () => {
  const b = await backend({ commands: { condor_q: path.join(root, 'no-such-condor_q') } });
  const h = await b.health();
  expect(h).toEqual({ available: false, detail: expect.stringMatching(/not found/) });
});

test('empty condor_q and no history: the wrapper exit record still ends the job; unknown jobs become lost', async () => {
  process.env.FAKE_CONDOR_NO_HISTORY = '1';
  try {
    const b = await backend({ lostAfterPolls: 2 });
    const items = [job('n', ['sh', '-c', 'exit 4'])];
    const out = await b.submit({ groupId: 'g1', items });
    const ghost: TrackedJob = {
      jobId: 'ghost',
      backendJobId: '999.0',
      groupId: 'g0',
      workDir: path.join(root, 'jobs/ghost'),
      status: 'running',
    };
    const { final } = await pollUntilDone(b, [...track(items, outcomesMap(out)), ghost]);
    expect(final.get('n')).toMatchObject({ status: 'error', exitCode: 4 });
    expect(final.get('ghost')).toMatchObject({ status: 'error', error: { code: 'lost' } });
  } finally {
    delete process.env.FAKE_CONDOR_NO_HISTORY;
  }
});

test('restart reconciliation: findSubmitted finds queued and finished jobs by their Bulkrun ids', async () => {
  const b = await backend();
  fake.pause(true);
  const items = [job('k1', ['true']), job('k2', ['true'])];
  await b.submit({ groupId: 'gX', items });
  await b.submit({ groupId: 'gY', items: [job('k3', ['true'])] });
  // k1 leaves the queue (removed by an admin) before the "restart": it is in the history.
  await runFake('condor_rm', ['1.0']);
  await runFake('condor_q', []); // a schedd tick: removed jobs move to the history
  // A new server process: nothing but the records of intent.
  const after = await backend();
  const asked = [...items, job('never', ['true'])].map(it => ({
    jobId: it.jobId,
    backendJobId: null,
    groupId: 'gX',
    workDir: it.workDir,
    status: 'created' as const,
  }));
  const found = await after.findSubmitted(asked);
  expect(Object.fromEntries(found)).toEqual({ k1: '1.0', k2: '1.1' });
  // A job whose id was never recorded can still be cancelled by its Bulkrun id.
  await after.cancel([
    {
      jobId: 'k3',
      backendJobId: null,
      groupId: 'gY',
      workDir: path.join(root, 'jobs/k3'),
      status: 'queued',
    },
  ]);
  const h = await runFake('condor_history', [
    '-json',
    '-attributes',
    'BulkrunJobId,JobStatus',
    '2',
  ]);
  expect(JSON.parse(h.stdout)).toEqual([{ BulkrunJobId: 'k3', JobStatus: 3 }]);
});

function runFake(
  cmd: string,
  args: string[]
): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise(resolve => {
    execFile(cmd, args, { env: process.env }, (err, stdout, stderr) => {
      resolve({ stdout, stderr, code: err ? ((err as any).code ?? 1) : 0 });
    });
  });
}

test('reprioritize: condor_prio sets JobPrio (single jobs keep their boost); the higher one starts first', async () => {
  const b = await backend();
  fake.pause(true);
  const items = [
    job('low', ['true'], { role: 'single', index: null, batchId: null }),
    job('high', ['true'], { role: 'single', index: null, batchId: null }),
  ];
  const out = await b.submit({ groupId: 'g1', items });
  const tracked = track(items, outcomesMap(out));
  await b.reprioritize(
    tracked.filter(t => t.jobId === 'high').map(t => ({ ...t, role: 'single', priority: 50 }))
  );
  const prio = fake
    .calls()
    .filter(c => c[0] === 'condor_prio')
    .map(c => c.slice(1));
  expect(prio).toEqual([['-p', '60', out.find(o => o.jobId === 'high')!.backendJobId!]]);
  // One slot: the schedd starts the higher JobPrio first.
  process.env.FAKE_CONDOR_SLOTS = '1';
  try {
    fake.pause(false);
    await b.poll(tracked);
    const queue = JSON.parse(fs.readFileSync(path.join(fake.stateDir, 'queue.json'), 'utf8'));
    const statusOf = (id: string) =>
      queue.find(
        (a: any) => `${a.ClusterId}.${a.ProcId}` === out.find(o => o.jobId === id)!.backendJobId
      )?.JobStatus;
    expect({ high: statusOf('high'), low: statusOf('low') }).toEqual({ high: 2, low: 1 });
  } finally {
    delete process.env.FAKE_CONDOR_SLOTS;
  }
});

test('reprioritize of a job that already left the queue is not an error', async () => {
  const b = await backend();
  await expect(
    b.reprioritize([
      {
        jobId: 'x',
        backendJobId: '999.0',
        groupId: 'g',
        workDir: root,
        status: 'queued',
        role: 'task',
        priority: 3,
      },
    ])
  ).resolves.toBeUndefined();
});

describe('usage from the final ad', () => {
  // 120 MiB touched page by page, then 1 s of CPU (counted from the process's start).
  const hog = [
    'python3',
    '-c',
    'import time\nn = 120 << 20\nb = bytearray(n)\nb[::4096] = b"x" * (n >> 12)\n' +
      'while time.process_time() < 1.0: pass',
  ];
  const MiB = 1024 * 1024;

  async function withEmits(cfg: HTCondorConfig = {}) {
    const emitted: StatusUpdate[] = [];
    const b = new HTCondorBackend({ pollIntervalMs: 100, exitRecordGraceMs: 0, ...cfg });
    opened.push(b);
    await b.init({
      log: silent,
      emit: u => emitted.push(...u),
      stateDir: path.join(root, 'state'),
    });
    return { b, emitted };
  }

  /** The job's HTCondor usage: on its terminal update, or a usage-only one after it. */
  async function condorUsage(jobId: string, seen: StatusUpdate[], emitted: StatusUpdate[]) {
    for (let i = 0; i < 100; i++) {
      const u = [...seen, ...emitted].find(
        x => x.jobId === jobId && x.usage?.source === 'htcondor'
      );
      if (u) return u;
      await new Promise(r => setTimeout(r, 100));
    }
    throw new Error(`no HTCondor usage for ${jobId}`);
  }

  function expectHogUsage(usage: StatusUpdate['usage']) {
    // ru_maxrss of the python process: the 120 MiB plus the interpreter (~10 MiB).
    expect(usage!.maxRssBytes).toBeGreaterThanOrEqual(120 * MiB);
    expect(usage!.maxRssBytes).toBeLessThan(120 * MiB * 1.15);
    // python's own 1.0 s, plus the prelude's and the wrapper's shells and GNU time (about
    // 0.1 s here: a fixed cost, not a share of the busy time).
    expect(usage!.cpuSeconds).toBeGreaterThanOrEqual(1.0);
    expect(usage!.cpuSeconds).toBeLessThan(1.25);
    expect(usage!.wallSeconds).toBeGreaterThanOrEqual(1.0);
    expect(usage!.wallSeconds).toBeLessThan(10);
    // The work dir: job file, records, logs: a few KiB.
    expect(usage!.maxDiskBytes).toBeGreaterThan(0);
    expect(usage!.maxDiskBytes).toBeLessThan(MiB);
  }

  test('memory, CPU, wall and disk of the job the fake ran, with source htcondor', async () => {
    const { b, emitted } = await withEmits();
    const items = [job('hog', hog)];
    const out = await b.submit({ groupId: 'g1', items });
    const { final, seen } = await pollUntilDone(b, track(items, outcomesMap(out)));
    expect(final.get('hog')!.status).toBe('completed');
    const u = await condorUsage('hog', seen, emitted);
    expectHogUsage(u.usage);
    await b.close();
  });

  test('an exit record read while the ad still says running: the usage follows in a usage-only update', async () => {
    process.env.FAKE_CONDOR_REPORT_DELAY_MS = '1500';
    try {
      const { b, emitted } = await withEmits();
      const items = [job('late', hog)];
      const out = await b.submit({ groupId: 'g1', items });
      const { final, seen } = await pollUntilDone(b, track(items, outcomesMap(out)));
      // The wrapper's record ended the job before the schedd knew: no HTCondor figures yet.
      expect(final.get('late')).toMatchObject({ status: 'completed' });
      expect(final.get('late')!.usage?.source).not.toBe('htcondor');
      const before = fake.calls().filter(c => c[0] === 'condor_history').length;
      // No job is active any more, so the engine would not poll: the backend emits it.
      const u = await condorUsage('late', seen, emitted);
      expect(emitted).toContain(u);
      expect(u).toMatchObject({
        jobId: 'late',
        status: 'completed',
        backendJobId: out[0].backendJobId,
      });
      expectHogUsage(u.usage);
      // Bounded: one condor_history per 5 s while it waited, then none.
      const during = fake.calls().filter(c => c[0] === 'condor_history').length - before;
      expect(during).toBeLessThanOrEqual(3);
      await new Promise(r => setTimeout(r, 1200));
      expect(fake.calls().filter(c => c[0] === 'condor_history').length - before).toBe(during);
      await b.close();
    } finally {
      delete process.env.FAKE_CONDOR_REPORT_DELAY_MS;
    }
  });
});
