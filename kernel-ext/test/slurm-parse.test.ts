/** Slurm output parsers and state mapping, on real 22.05 captures and the 23.11+ shape. */
import * as fs from 'fs';
import * as path from 'path';
import {
  formatArrayRange,
  isControllerUnreachable,
  isGoneJobError,
  mapSlurmState,
  parseArrayRange,
  parseSacct,
  parseScontrolConfig,
  parseSlurmDuration,
  parseSlurmSize,
  parseSqueueJson,
  parseSqueueText,
} from '../src/backends/slurm-parse';
import { cancelSpecs, usageOf } from '../src/backends/slurm';

const FIX = path.join(__dirname, 'fixtures', 'slurm');
const read = (f: string) => fs.readFileSync(path.join(FIX, f), 'utf8');

describe('squeue --json, 22.05 (real output)', () => {
  test('array tasks, raw wait status exit codes', () => {
    const rows = parseSqueueJson(read('squeue-22.05-failed-array.json'));
    const t0 = rows.find(r => r.id === '1_0')!;
    expect(t0).toMatchObject({
      arrayJobId: '1',
      taskId: 0,
      state: 'FAILED',
      reason: 'NonZeroExitCode',
      exitCode: 7,
    });
    expect(t0.signal).toBeNull();
    expect(t0.startTime).toBeInstanceOf(Date);
    expect(rows.map(r => r.id).sort()).toEqual(['1_0', '1_1', '1_2', '1_3']);
  });

  test('an unsplit pending remainder stands for its task range', () => {
    const rows = parseSqueueJson(read('squeue-22.05-pending-array.json'));
    const held = rows.find(r => r.arrayJobId === '5' && r.taskId === null)!;
    expect(held.state).toBe('PENDING');
    expect(held.reason).toBe('JobHeldUser');
    expect([...held.remainder!]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(held.name).toBe('bulkrun:g1');
    const throttled = rows.find(r => r.arrayJobId === '6' && r.taskId === null)!;
    expect([...throttled.remainder!]).toEqual([2, 3, 4, 5]);
    expect(rows.find(r => r.id === '6_0')!.state).toBe('RUNNING');
  });
});

describe('squeue --json, 23.11+ shape', () => {
  const rows = parseSqueueJson(read('squeue-23.11-shape.json'));
  test('wrapped numbers and state lists', () => {
    expect(rows.find(r => r.id === '500_0')).toMatchObject({
      state: 'FAILED',
      exitCode: 7,
      signal: null,
    });
    expect(rows.find(r => r.id === '500_1')).toMatchObject({ state: 'RUNNING', exitCode: null });
    expect(rows.find(r => r.id === '500_2')).toMatchObject({
      state: 'OUT_OF_MEMORY',
      exitCode: null,
      signal: 9,
    });
    expect(rows.find(r => r.id === '500_3')).toMatchObject({
      state: 'PENDING',
      flags: ['REQUEUED'],
    });
    expect(rows.find(r => r.id === '500_0')!.endTime!.toISOString()).toBe(
      '2023-11-14T22:15:00.000Z'
    );
  });
  test('remainder and plain jobs', () => {
    const rem = rows.find(r => r.arrayJobId === '500' && r.taskId === null)!;
    expect([...rem.remainder!]).toEqual([4, 5, 6, 7, 8, 9]);
    const plain = rows.find(r => r.id === '600')!;
    expect(plain).toMatchObject({ arrayJobId: null, taskId: null, state: 'TIMEOUT', exitCode: 0 });
    expect(plain.startTime).not.toBeNull();
    expect(rem.startTime).toBeNull();
  });
});

describe('squeue text (-h -r -t all -o)', () => {
  test('real capture: every state of the capture script', () => {
    const rows = parseSqueueText(read('squeue-22.05-states.txt'));
    const ids = Object.fromEntries(
      read('squeue-22.05-states.ids')
        .trim()
        .split(' ')
        .map(kv => kv.split('='))
    );
    const st = (id: string) => rows.find(r => r.id === id)?.state;
    expect(st(`${ids.ok}_0`)).toBe('COMPLETED');
    expect(st(`${ids.bad}_1`)).toBe('FAILED');
    expect(st(ids.slow)).toBe('TIMEOUT');
    expect(st(`${ids.run}_0`)).toBe('RUNNING');
    expect(st(`${ids.run}_5`)).toBe('PENDING');
    expect(st(`${ids.canc}_1`)).toBe('CANCELLED');
    // Held tasks are expanded one per line by -r; a '|' in the name survives.
    const held = rows.filter(r => r.arrayJobId === ids.held);
    expect(held.map(r => r.taskId).sort()).toEqual([0, 1, 2, 3]);
    expect(held[0].name).toBe('bulkrun:cap|pipe:4');
    expect(held[0].reason).toBe('JobHeldUser');
    expect(rows.find(r => r.id === `${ids.ok}_0`)!.endTime).toBeInstanceOf(Date);
  });

  test('a cancelled remainder without task ids', () => {
    const rows = parseSqueueText(
      '6|6|N/A|CANCELLED|JobArrayTaskLimit|2026-11-21T19:24:32|2026-11-21T19:24:32|bulkrun:g2:0\n'
    );
    expect(rows[0]).toMatchObject({
      id: '6',
      arrayJobId: '6',
      taskId: null,
      remainder: null,
      state: 'CANCELLED',
    });
  });
});

describe('sacct -P', () => {
  test('states with "by", code:signal exit codes, pending ranges', () => {
    // The fixture has the allocation-only format of before (no usage columns).
    const rows = parseSacct(read('sacct-array.txt'), 'JobID,State,ExitCode,Start,End,JobName');
    expect(rows[0]).toMatchObject({
      id: '700_0',
      arrayJobId: '700',
      taskId: 0,
      state: 'COMPLETED',
      exitCode: 0,
    });
    expect(rows[1]).toMatchObject({ state: 'FAILED', exitCode: 3 });
    expect(rows[2]).toMatchObject({
      state: 'CANCELLED',
      reason: 'by 0',
      signal: 15,
      exitCode: null,
    });
    expect(rows[5]).toMatchObject({ arrayJobId: '700', taskId: null, name: 'bulkrun:gacct:0' });
    expect([...rows[5].remainder!]).toEqual([5, 6, 7, 8, 9]);
    expect(rows[5].startTime).toBeNull();
    expect(rows[0].usage).toBeUndefined();
  });

  // Real output of 22.05.8 on the scripts/slurm-up cluster (accounting on), with the
  // backend's SACCT_FORMAT and without -X: step rows follow their allocation. 22292_0 was
  // captured while it ran (a python job holding 200 MiB, a 3-task array, a 50 MiB dd).
  const REAL = [
    '22290|COMPLETED|0:0|2026-12-02T02:25:39|2026-12-02T02:25:44|5|00:02.135|||wrap',
    '22290.batch|COMPLETED|0:0|2026-12-02T02:25:39|2026-12-02T02:25:44|5|00:02.135|221120K|0.00M|batch',
    '22292_1|COMPLETED|0:0|2026-12-02T02:26:24|2026-12-02T02:26:27|3|00:00.004|||wrap',
    '22292_1.batch|COMPLETED|0:0|2026-12-02T02:26:24|2026-12-02T02:26:27|3|00:00.004|3M|0.00M|batch',
    '22295|COMPLETED|0:0|2026-12-02T02:26:36|2026-12-02T02:26:39|3|00:00.057|||wrap',
    '22295.batch|COMPLETED|0:0|2026-12-02T02:26:36|2026-12-02T02:26:39|3|00:00.057|2968K|50.00M|batch',
    '22292_0|RUNNING|0:0|2026-12-02T02:26:24|Unknown|1|00:00:00|||wrap',
    '22292_0.batch|RUNNING|0:0|2026-12-02T02:26:24|Unknown|1|00:00:00|||batch',
  ].join('\n');

  test('steps fold into their job: MaxRSS and MaxDiskWrite of the largest step, TotalCPU', () => {
    const rows = parseSacct(REAL);
    expect(rows.map(r => r.id)).toEqual(['22290', '22292_1', '22295', '22292_0']);
    expect(rows[0].usage).toEqual({
      wallSeconds: 5,
      cpuSeconds: 2.135,
      maxRssBytes: 221120 * 1024,
      maxDiskBytes: 0,
      steps: 1,
      stepsRunning: 0,
    });
    expect(rows[1]).toMatchObject({ arrayJobId: '22292', taskId: 1, state: 'COMPLETED' });
    expect(rows[1].usage).toMatchObject({ maxRssBytes: 3 * 1024 * 1024, cpuSeconds: 0.004 });
    expect(rows[2].usage).toMatchObject({ maxDiskBytes: 50 * 1024 * 1024 });
    expect(rows[3].usage).toMatchObject({ steps: 1, stepsRunning: 1, maxRssBytes: null });
  });

  test('several steps: the largest MaxRSS; TotalCPU the allocation row sums them', () => {
    const rows = parseSacct(
      [
        '900|COMPLETED|0:0|2024-05-01T10:00:00|2024-05-01T10:01:00|60|01:05.500|||multi',
        '900.batch|COMPLETED|0:0|2024-05-01T10:00:00|2024-05-01T10:01:00|60|00:05.500|2G|1.5M|batch',
        '900.extern|COMPLETED|0:0|2024-05-01T10:00:00|2024-05-01T10:01:00|60|00:00:00|1024K|0|extern',
        '900.0|COMPLETED|0:0|2024-05-01T10:00:01|2024-05-01T10:00:59|58|01:00.000|1.5M|3G|python',
        // -X leaves the allocation row's TotalCPU at zero: the steps' sum stands in.
        '901|COMPLETED|0:0|2024-05-01T10:00:00|2024-05-01T10:01:00|60|00:00:00|||x',
        '901.batch|COMPLETED|0:0|2024-05-01T10:00:00|2024-05-01T10:01:00|60|00:03.250|10M||batch',
      ].join('\n')
    );
    expect(rows).toHaveLength(2);
    expect(rows[0].usage).toMatchObject({
      wallSeconds: 60,
      cpuSeconds: 65.5,
      maxRssBytes: 2 * 1024 ** 3,
      maxDiskBytes: 3 * 1024 ** 3,
      steps: 3,
    });
    expect(rows[1].usage).toMatchObject({ cpuSeconds: 3.25, maxRssBytes: 10 * 1024 ** 2 });
  });

  test('usage for the protocol: only once the steps are in and ended', () => {
    const rows = parseSacct(REAL);
    expect(usageOf(rows[0].usage)).toEqual({
      wallSeconds: 5,
      cpuSeconds: 2.135,
      maxRssBytes: 221120 * 1024,
      maxDiskBytes: 0,
      source: 'slurm',
    });
    expect(usageOf(rows[3].usage)).toBeNull(); // its step still runs
    const [alone] = parseSacct('903|COMPLETED|0:0|x|y|4|00:00:00|||j');
    expect(usageOf(alone.usage)).toBeNull(); // no step in accounting yet
    expect(usageOf(undefined)).toBeNull();
  });
});

describe('sacct sizes and durations', () => {
  test('MaxRSS and MaxDiskWrite: K, M, G, T in units of 1024, decimals, plain bytes', () => {
    expect(parseSlurmSize('123456K')).toBe(123456 * 1024);
    expect(parseSlurmSize('1.5M')).toBe(1.5 * 1024 * 1024);
    expect(parseSlurmSize('2G')).toBe(2 * 1024 ** 3);
    expect(parseSlurmSize('1T')).toBe(1024 ** 4);
    expect(parseSlurmSize('50.00M')).toBe(50 * 1024 * 1024);
    expect(parseSlurmSize('0.00M')).toBe(0);
    expect(parseSlurmSize('4096')).toBe(4096);
    expect(parseSlurmSize('')).toBeNull();
    expect(parseSlurmSize('n/a')).toBeNull();
    expect(parseSlurmSize(undefined)).toBeNull();
  });
  test('TotalCPU: MM:SS.mmm, HH:MM:SS, D-HH:MM:SS; ElapsedRaw seconds', () => {
    expect(parseSlurmDuration('00:02.135')).toBeCloseTo(2.135, 6);
    expect(parseSlurmDuration('59:59.999')).toBeCloseTo(3599.999, 6);
    expect(parseSlurmDuration('00:00:00')).toBe(0);
    expect(parseSlurmDuration('01:02:03')).toBe(3723);
    expect(parseSlurmDuration('2-03:04:05')).toBe(2 * 86400 + 3 * 3600 + 4 * 60 + 5);
    expect(parseSlurmDuration('1-00')).toBe(86400);
    expect(parseSlurmDuration('6')).toBe(6);
    expect(parseSlurmDuration('')).toBeNull();
    expect(parseSlurmDuration('INVALID')).toBeNull();
  });
});

test('scontrol show config', () => {
  const c = parseScontrolConfig(
    'Configuration data as of x\nMaxArraySize            = 100001\nMinJobAge = 30 sec\n'
  );
  expect(c.get('MaxArraySize')).toBe('100001');
  expect(c.get('MinJobAge')).toBe('30 sec');
});

test('array ranges both ways', () => {
  expect([...parseArrayRange('0-3%2')!]).toEqual([0, 1, 2, 3]);
  expect([...parseArrayRange('1,3,5-7')!]).toEqual([1, 3, 5, 6, 7]);
  expect([...parseArrayRange('0-15:5')!]).toEqual([0, 5, 10, 15]);
  expect(parseArrayRange('')).toBeNull();
  expect(parseArrayRange('x')).toBeNull();
  expect(formatArrayRange([8, 1, 2, 3, 5, 3])).toBe('1-3,5,8');
  expect(formatArrayRange([4])).toBe('4');
});

describe('state mapping', () => {
  const m = (
    state: string,
    extra: Partial<{ flags: string[]; reason: string; exitCode: number; signal: number }> = {}
  ) => mapSlurmState({ state, flags: [], reason: '', exitCode: null, signal: null, ...extra });
  test.each([
    ['PENDING', 'queued', undefined],
    ['CONFIGURING', 'queued', undefined],
    ['REQUEUED', 'queued', undefined],
    ['REQUEUE_HOLD', 'queued', undefined],
    ['RESV_DEL_HOLD', 'queued', undefined],
    ['RUNNING', 'running', undefined],
    ['COMPLETING', 'running', undefined],
    ['SUSPENDED', 'running', undefined],
    ['STOPPED', 'running', undefined],
    ['SIGNALING', 'running', undefined],
    ['STAGE_OUT', 'running', undefined],
    ['COMPLETED', 'completed', undefined],
    ['FAILED', 'error', 'job_crashed'],
    ['SPECIAL_EXIT', 'error', 'job_crashed'],
    ['CANCELLED', 'terminated', undefined],
    ['REVOKED', 'terminated', undefined],
    ['TIMEOUT', 'error', 'timeout'],
    ['DEADLINE', 'error', 'timeout'],
    ['OUT_OF_MEMORY', 'error', 'oom'],
    ['NODE_FAIL', 'error', 'node_failure'],
    ['BOOT_FAIL', 'error', 'node_failure'],
    ['PREEMPTED', 'error', 'preempted'],
    ['SOMETHING_NEW', 'error', 'job_crashed'],
  ])('%s → %s %s', (state, status, code) => {
    const r = m(state);
    expect(r.status).toBe(status);
    expect(r.error?.code).toBe(code);
    expect(r.reason).toContain(`Slurm ${state}`);
  });

  test('COMPLETED and FAILED defer to the exit record; the others do not', () => {
    expect(m('COMPLETED').awaitExitRecord).toBe(true);
    expect(m('FAILED', { exitCode: 3 }).awaitExitRecord).toBe(true);
    expect(m('FAILED', { exitCode: 3 }).error!.message).toContain('exit code 3');
    expect(m('FAILED', { signal: 9 }).error!.message).toContain('signal 9');
    expect(m('TIMEOUT').awaitExitRecord).toBeFalsy();
  });

  test('REQUEUED flag and reasons', () => {
    expect(m('PENDING', { flags: ['REQUEUED'] }).status).toBe('queued');
    expect(m('RUNNING', { flags: ['REQUEUED'] }).status).toBe('running');
    expect(m('PENDING', { reason: 'JobHeldUser' }).reason).toBe('Slurm PENDING: JobHeldUser');
    expect(m('COMPLETING+').status).toBe('running');
  });
});

test('outage and gone-job messages', () => {
  expect(
    isControllerUnreachable(
      'squeue: error: slurm_load_jobs error: Unable to contact slurm controller (connect failure)'
    )
  ).toBe(true);
  expect(
    isControllerUnreachable('sbatch: error: Batch job submission failed: Invalid account')
  ).toBe(false);
  expect(
    isGoneJobError('scancel: error: Kill job error on job id 12_3: Invalid job id specified')
  ).toBe(true);
  expect(
    isGoneJobError(
      'scancel: error: Kill job error on job id 12: Job/step already completing or completed'
    )
  ).toBe(true);
  expect(
    isGoneJobError('scancel: error: Kill job error on job id 12: Access/permission denied')
  ).toBe(false);
});

test('cancel ids are grouped per array into ranges', () => {
  const specs = cancelSpecs(['12_1', '12_2', '12_3', '12_8', '13_0', '99']);
  expect(specs.map(s => s.spec).sort()).toEqual(['12_[1-3,8]', '13_[0]', '99']);
  const many = cancelSpecs(Array.from({ length: 1200 }, (_, i) => `5_${i * 2}`));
  expect(many).toHaveLength(3);
  expect(many.flatMap(s => s.ids)).toHaveLength(1200);
});
