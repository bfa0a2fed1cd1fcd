/**
 * The wrapper's exit record as a job update (backends/exit-record.ts), shared by the local,
 * Slurm and HTCondor backends. Records are written by the real wrapper on real work dirs.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { exitCodeError, readExitUpdate } from '../src/backends/exit-record';
import { jobFileText, WRAPPER_PATH, writeWorkDir } from '../src/backends/workdir';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bulkrun-exit-record-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** A work dir whose job (`sh -c script`) ran to the end under the wrapper. */
function ran(name: string, script: string): string {
  const d = path.join(root, name);
  writeWorkDir(d, jobFileText(['sh', '-c', script], {}));
  spawnSync('bash', [WRAPPER_PATH, d]);
  return d;
}

/** A work dir holding only the records given (`code micros`), as a wrapper leaves them. */
function records(name: string, exit: string | null, started: string | null = null): string {
  const d = path.join(root, name);
  fs.mkdirSync(d, { recursive: true });
  if (started !== null) fs.writeFileSync(path.join(d, 'started'), started);
  if (exit !== null) fs.writeFileSync(path.join(d, 'exit'), exit);
  return d;
}

test('exit 0 completes, with the times of the start and exit records', () => {
  const u = readExitUpdate('j0', ran('zero', 'exit 0'));
  expect(u).toMatchObject({ jobId: 'j0', status: 'completed', exitCode: 0, error: null });
  expect(Date.parse(u!.startedAt!)).toBeLessThanOrEqual(Date.parse(u!.finishedAt!));
  expect(Math.abs(Date.parse(u!.finishedAt!) - Date.now())).toBeLessThan(60_000);
});

test('exit 3 is a crash with the code in the message', () => {
  expect(readExitUpdate('j3', ran('three', 'exit 3'))).toMatchObject({
    status: 'error',
    exitCode: 3,
    error: { code: 'job_crashed', message: 'The job exited with code 3' },
  });
});

test('killed by SIGKILL: 128 + 9, read as the OOM killer', () => {
  expect(readExitUpdate('k9', ran('sigkill', 'kill -9 $$'))).toMatchObject({
    status: 'error',
    exitCode: 137,
    error: { code: 'oom', message: expect.stringContaining('most likely out of memory') },
  });
  expect(readExitUpdate('k15', ran('sigterm', 'kill -15 $$'))).toMatchObject({
    status: 'error',
    exitCode: 143,
    error: { code: 'job_crashed', message: 'The job was killed by signal 15' },
  });
});

test('codes past the standard signals are the job’s own, not signals', () => {
  for (const code of [160, 200, 255]) {
    expect(readExitUpdate(`c${code}`, ran(`code${code}`, `exit ${code}`))).toMatchObject({
      status: 'error',
      exitCode: code,
      error: { code: 'job_crashed', message: `The job exited with code ${code}` },
    });
  }
  expect(exitCodeError(159)).toEqual({
    code: 'job_crashed',
    message: 'The job was killed by signal 31',
  });
  expect(exitCodeError(128)?.message).toBe('The job exited with code 128');
});

test('a scheduler’s cause wins over the exit code’s, but never over a success', () => {
  const oom = { code: 'oom', message: 'Slurm reports OUT_OF_MEMORY' };
  expect(readExitUpdate('s9', ran('sched-oom', 'kill -9 $$'), { error: oom })).toMatchObject({
    status: 'error',
    exitCode: 137,
    error: oom,
  });
  const timeout = { code: 'timeout', message: 'Slurm reports TIMEOUT' };
  expect(readExitUpdate('s0', ran('sched-ok', 'exit 0'), { error: timeout })).toMatchObject({
    status: 'completed',
    error: null,
  });
});

test('without a start record, the scheduler’s start time is used', () => {
  const at = new Date('2024-05-01T10:00:00Z');
  const d = records('no-start', `0 ${Date.parse('2024-05-01T10:05:00Z') * 1000}\n`);
  expect(readExitUpdate('ns', d, { startedAt: at })).toMatchObject({
    status: 'completed',
    startedAt: at.toISOString(),
    finishedAt: '2024-05-01T10:05:00.000Z',
  });
  expect(readExitUpdate('ns', d)!.startedAt).toBeUndefined();
});

test('no exit record, or one not fully written, is no update yet', () => {
  expect(readExitUpdate('m', records('missing', null, '123 1714557600000000\n'))).toBeNull();
  expect(readExitUpdate('p', records('partial', '0 1714557600'))).toBeNull();
  expect(readExitUpdate('g', path.join(root, 'never-created'))).toBeNull();
});
