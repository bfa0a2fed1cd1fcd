/**
 * The Slurm backend on the real single-node Slurm (scripts/slurm-up), driven through the
 * Backend interface with a real BackendContext: success, failure, cancel, a 2,000-row
 * array, a time limit, and finding a submission again after a crash (usage from accounting:
 * usage.integration.test.ts).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { SlurmBackend } from '../../src/backends/slurm';
import {
  describeSlurm,
  harness,
  idsOf,
  pollUntilDone,
  quietLog,
  slurmState,
  slurmUp,
  submitRetrying,
  tracked,
  type Harness,
} from './harness';

jest.setTimeout(240_000);

describeSlurm('Slurm backend on a real Slurm', () => {
  let h: Harness;
  beforeAll(async () => {
    slurmUp('slurm-backend.integration');
    h = await harness('slurm-backend-');
  });
  afterAll(async () => {
    await h?.backend.close();
    if (h) fs.rmSync(h.root, { recursive: true, force: true });
  });

  test('health reports the controller up', async () => {
    const health = await h.backend.health();
    expect(health.available).toBe(true);
    expect(health.detail).toMatch(/is UP/);
  });

  test('an array: success and a non-zero exit, with exit codes from the wrapper', async () => {
    const items = [
      h.item('ok1', ['bash', '-c', 'echo hello "$1"', 'x', 'a b; $(rm -rf /)']),
      h.item('bad1', ['bash', '-c', 'echo oops >&2; exit 7']),
      h.item('ok2', ['true']),
    ];
    const outcomes = await submitRetrying(h.backend, { groupId: 'g-basic', items });
    const ids = idsOf(outcomes);
    // One array: every task shares the array job id.
    const arrays = new Set([...ids.values()].map(id => id.split('_')[0]));
    expect(arrays.size).toBe(1);
    expect([...ids.values()].map(id => id.split('_')[1])).toEqual(['0', '1', '2']);
    const jobs = tracked(items, ids, 'g-basic');
    const { final } = await pollUntilDone(h.backend, jobs, 90_000);
    expect(final.get('ok1')).toMatchObject({ status: 'completed', exitCode: 0 });
    expect(final.get('ok2')).toMatchObject({ status: 'completed', exitCode: 0 });
    expect(final.get('bad1')).toMatchObject({
      status: 'error',
      exitCode: 7,
      error: { code: 'job_crashed' },
    });
    expect(final.get('ok1')!.startedAt).toBeTruthy();
    expect(final.get('ok1')!.finishedAt).toBeTruthy();
    // Parameters reached the program literally, through no shell.
    expect(fs.readFileSync(path.join(items[0].workDir, 'stdout.log'), 'utf8')).toBe(
      'hello a b; $(rm -rf /)\n'
    );
    expect(fs.readFileSync(path.join(items[1].workDir, 'stderr.log'), 'utf8')).toBe('oops\n');
    // The task recorded its Slurm id in its work dir.
    expect(fs.readFileSync(path.join(items[1].workDir, 'slurm-job'), 'utf8').trim()).toBe(
      ids.get('bad1')
    );
  });

  test('chunks of MaxArraySize and one array per resource set; sbatch errors go to the items', async () => {
    const small = new SlurmBackend({ maxArraySize: 10, extraSbatchArgs: ['--hold'] });
    await small.init({ log: quietLog, emit: () => {}, stateDir: path.join(h.root, 'state') });
    const items = [
      ...Array.from({ length: 25 }, (_, i) => h.item(`ch${i}`, ['true'], { role: 'task' })),
      h.item('mem1', ['true'], { role: 'task', resources: { memory: '100M' } }),
      h.item('badres', ['true'], { resources: { cpus: -1 } }),
      h.item('badpart', ['true'], { resources: { partition: 'no-such-partition' } }),
    ];
    const out = await submitRetrying(small, { groupId: 'g-chunks', items, maxParallel: 3 });
    const by = new Map(out.map(o => [o.jobId, o]));
    const arrayOf = (id: string) => by.get(id)!.backendJobId!.split('_')[0];
    // 25 rows in chunks of 10: three arrays, each task numbered within its chunk.
    expect(new Set(Array.from({ length: 25 }, (_, i) => arrayOf(`ch${i}`))).size).toBe(3);
    expect(by.get('ch24')!.backendJobId).toMatch(/_4$/);
    expect(arrayOf('mem1')).not.toBe(arrayOf('ch0'));
    expect(by.get('badres')!.error).toMatch(/Invalid cpus/);
    expect(by.get('badpart')!.error).toMatch(/sbatch failed: .*partition/i);
    const ids = out.filter(o => o.backendJobId).map(o => o.backendJobId!);
    // The throttle and the nice value reached Slurm.
    const info = execFileSync('scontrol', ['show', 'job', arrayOf('ch0')], { encoding: 'utf8' });
    expect(info).toMatch(/ArrayTaskThrottle=3/);
    expect(info).toMatch(/Nice=100/);
    await small.cancel(
      ids.map(id => ({
        jobId: id,
        backendJobId: id,
        groupId: 'g-chunks',
        workDir: h.root,
        status: 'queued',
      }))
    );
    await small.close();
  });

  test('priority: --nice at submission from role and priority; a change reaches pending jobs', async () => {
    const holding = new SlurmBackend({ extraSbatchArgs: ['--hold'] });
    await holding.init({ log: quietLog, emit: () => {}, stateDir: path.join(h.root, 'state') });
    const single = { ...h.item('prio-s', ['true']), priority: -5 };
    const task = { ...h.item('prio-t', ['true'], { role: 'task' }), priority: 30 };
    const ids = idsOf(await submitRetrying(holding, { groupId: 'g-prio', items: [single, task] }));
    const nice = (id: string) =>
      execFileSync('squeue', ['-h', '-r', '-j', id, '-o', '%y'], { encoding: 'utf8' }).trim();
    // Single job: 0 - (-5); batch row: 100 - 30.
    expect([nice(ids.get('prio-s')!), nice(ids.get('prio-t')!)]).toEqual(['5', '70']);
    const jobs = tracked([single, task], ids, 'g-prio');
    await holding.reprioritize([
      { ...jobs[0], role: 'single', priority: -20 },
      { ...jobs[1], role: 'task', priority: 60 },
    ]);
    expect([nice(ids.get('prio-s')!), nice(ids.get('prio-t')!)]).toEqual(['20', '40']);
    // A job that is gone: logged, not thrown.
    await expect(
      holding.reprioritize([{ ...jobs[0], backendJobId: '999999_0', role: 'single', priority: 1 }])
    ).resolves.toBeUndefined();
    await holding.cancel(jobs);
  });

  test('cancel of a pending and a running task', async () => {
    const items = [
      h.item('run1', ['sleep', '300']),
      h.item('pend1', ['sleep', '300'], { resources: { cpus: 1, memory: '64M' } }),
    ];
    const runIds = idsOf(
      await submitRetrying(h.backend, { groupId: 'g-cancel-r', items: [items[0]] })
    );
    // A second backend on the same state dir submits with --hold: that task stays PENDING.
    const holding = new SlurmBackend({ extraSbatchArgs: ['--hold'] });
    await holding.init({ log: quietLog, emit: () => {}, stateDir: path.join(h.root, 'state') });
    const pendIds = idsOf(
      await submitRetrying(holding, { groupId: 'g-cancel-p', items: [items[1]] })
    );
    const jobs = [
      ...tracked([items[0]], runIds, 'g-cancel-r'),
      ...tracked([items[1]], pendIds, 'g-cancel-p'),
    ];
    // Wait until the first runs (the backend reports it) while the second stays queued.
    const r1 = await pollUntilDone(h.backend, jobs, 60_000, () => jobs[0].status === 'running');
    expect(jobs[0].status).toBe('running');
    expect(r1.final.size).toBe(0);
    expect(slurmState(pendIds.get('pend1')!)).toBe('PENDING');
    await h.backend.cancel(jobs);
    const { final } = await pollUntilDone(h.backend, jobs, 60_000);
    expect(final.get('run1')).toMatchObject({ status: 'terminated' });
    expect(final.get('pend1')).toMatchObject({ status: 'terminated' });
    expect(final.get('run1')!.reason).toMatch(/CANCELLED/);
    // Cancelling again (jobs gone or finished) is not an error.
    await expect(h.backend.cancel(jobs)).resolves.toBeUndefined();
  });

  test('a 2,000-row batch goes out as one array and every row completes', async () => {
    const items = Array.from({ length: 2000 }, (_, i) =>
      h.item(`big${i}`, ['bash', '-c', 'echo "$BULKRUN_JOB_ID"'], { role: 'task' })
    );
    const t0 = Date.now();
    const outcomes = await submitRetrying(h.backend, {
      groupId: 'g-big',
      items,
      maxParallel: null,
    });
    const submitMs = Date.now() - t0;
    const ids = idsOf(outcomes);
    expect(new Set([...ids.values()].map(id => id.split('_')[0])).size).toBe(1);
    const jobs = tracked(items, ids, 'g-big');
    const { final } = await pollUntilDone(h.backend, jobs, 220_000);
    const statuses = [...final.values()].map(u => u.status);
    expect(final.size).toBe(2000);
    expect(statuses.every(s => s === 'completed')).toBe(true);
    expect(fs.readFileSync(path.join(items[1999].workDir, 'stdout.log'), 'utf8')).toBe('big1999\n');
    console.log(`2,000-row array: sbatch ${submitMs} ms, all done in ${Date.now() - t0} ms`);
  });

  test('a task over its time limit ends in error "timeout"', async () => {
    // Slurm's time limits have minute granularity: 1 minute, checked about every 30 s.
    const items = [h.item('slow1', ['sleep', '600'], { resources: { walltime: '1' } })];
    const ids = idsOf(await submitRetrying(h.backend, { groupId: 'g-timeout', items }));
    const jobs = tracked(items, ids, 'g-timeout');
    const { final } = await pollUntilDone(h.backend, jobs, 200_000);
    expect(final.get('slow1')).toMatchObject({ status: 'error', error: { code: 'timeout' } });
    expect(final.get('slow1')!.reason).toMatch(/TIMEOUT/);
  });

  test('a job Slurm does not know and that left no exit record becomes "lost" after the grace period', async () => {
    const [it] = [h.item('ghost1', ['true'])];
    const jobs = tracked([it], new Map([['ghost1', '999999_0']]), 'g-ghost');
    jobs[0].status = 'running';
    const t0 = Date.now();
    const { final } = await pollUntilDone(h.backend, jobs, 30_000);
    // The harness's grace is 5 s; sacct (accounting is on) does not know the id either.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(5000);
    expect(final.get('ghost1')).toMatchObject({ status: 'error', error: { code: 'lost' } });
    expect(final.get('ghost1')!.error!.message).toMatch(/999999_0.*no exit record/);
  });

  test('findSubmitted finds arrays whose ids were never recorded, and nothing else', async () => {
    const items = [h.item('crash1', ['sleep', '1']), h.item('crash2', ['sleep', '1'])];
    await submitRetrying(h.backend, { groupId: 'g-crash', items });
    // A group whose intent was recorded but that never reached sbatch.
    const never = [h.item('never1', ['true'])];
    // A fresh backend instance, as after a server restart, with the same state dir.
    const restarted = new SlurmBackend({ pollIntervalMs: 500 });
    await restarted.init({ log: quietLog, emit: () => {}, stateDir: path.join(h.root, 'state') });
    const found = await restarted.findSubmitted([
      ...tracked(items, new Map(), 'g-crash'),
      ...tracked(never, new Map(), 'g-never'),
    ]);
    expect([...found.keys()].sort()).toEqual(['crash1', 'crash2']);
    expect(found.get('crash1')).toMatch(/^\d+_0$/);
    expect(found.get('crash2')).toMatch(/^\d+_1$/);
    // Tracking resumes with the recovered ids.
    const jobs = tracked(items, found, 'g-crash');
    const { final } = await pollUntilDone(restarted, jobs, 60_000);
    expect(final.get('crash1')).toMatchObject({ status: 'completed' });
    expect(final.get('crash2')).toMatchObject({ status: 'completed' });
    // After Slurm forgot the array (MinJobAge passed while the server was down), the ids the
    // tasks recorded in their work dirs still find it. An empty queue stands in for that.
    const forgetful = new SlurmBackend({ commands: { squeue: 'true' } });
    await forgetful.init({ log: quietLog, emit: () => {}, stateDir: path.join(h.root, 'state') });
    const again = await forgetful.findSubmitted(tracked(items, new Map(), 'g-crash'));
    expect(again.get('crash1')).toBe(found.get('crash1'));
    expect(again.get('crash2')).toBe(found.get('crash2'));
    await restarted.close();
  });
});
