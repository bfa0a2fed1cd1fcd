/** sbatch argv and the array task script, as text (no cluster needed). */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  ARRAY_TASK_SCRIPT,
  arraySpec,
  jobName,
  memoryToSlurm,
  niceFor,
  parseJobName,
  parseSbatchParsable,
  resourceArgs,
  sbatchArgv,
  walltimeToSlurm,
} from '../src/backends/slurm-script';
import { writeArrayFiles } from '../src/backends/slurm';
import { jobFileText } from '../src/backends/workdir';

test('resources → sbatch options', () => {
  expect(
    resourceArgs({
      cpus: 4,
      memory: '2G',
      walltime: '01:30:00',
      gpus: 1,
      nodes: 2,
      tasksPerNode: 8,
      partition: 'gpu',
      account: 'lab',
      qos: 'high',
      gres: 'gpu:a100:1',
      disk: '10G',
    })
  ).toEqual([
    '--cpus-per-task=4',
    '--mem=2048M',
    '--time=01:30:00',
    '--nodes=2',
    '--ntasks-per-node=8',
    '--gpus=1',
    '--gres=gpu:a100:1',
    '--tmp=10240M',
    '--partition=gpu',
    '--account=lab',
    '--qos=high',
  ]);
  expect(resourceArgs({}, { partition: 'debug', account: 'a' })).toEqual([
    '--partition=debug',
    '--account=a',
  ]);
  expect(resourceArgs({ partition: 'p2' }, { partition: 'debug' })).toEqual(['--partition=p2']);
  expect(resourceArgs({ gpus: 0 })).toEqual([]);
  expect(() => resourceArgs({ cpus: 0 })).toThrow(/Invalid cpus/);
  expect(() => resourceArgs({ cpus: 1.5 })).toThrow(/Invalid cpus/);
  expect(() => resourceArgs({ memory: 'lots' })).toThrow(/Invalid memory/);
  expect(() => resourceArgs({ walltime: 'soon' })).toThrow(/Invalid walltime/);
  expect(() => resourceArgs({ disk: '10 gigs' })).toThrow(/Invalid disk '10 gigs'/);
  expect(resourceArgs({ memory: '8GiB', walltime: '1h30m', disk: '1.5 GB' })).toEqual([
    '--mem=8192M',
    '--time=01:30:00',
    '--tmp=1536M',
  ]);
});

test('--nice from role and priority: rows below single jobs, never negative', () => {
  expect(niceFor('single', 0)).toBe(0);
  expect(niceFor('single', 500)).toBe(0);
  expect(niceFor('single', -20)).toBe(20);
  expect(niceFor('fan_in', 0)).toBe(0);
  expect(niceFor('task', 0)).toBe(100);
  expect(niceFor('task', 30)).toBe(70);
  expect(niceFor('task', 1000)).toBe(0);
  expect(niceFor('task', -50, 10)).toBe(60);
});

test('memory and walltime formats (src/units.ts)', () => {
  expect(memoryToSlurm('512M')).toBe('512M');
  expect(memoryToSlurm('1.5G')).toBe('1536M');
  expect(memoryToSlurm('2GB')).toBe('2048M');
  expect(memoryToSlurm('2Gi')).toBe('2048M');
  expect(memoryToSlurm('2GiB')).toBe('2048M');
  expect(memoryToSlurm('8 gib')).toBe('8192M');
  expect(memoryToSlurm('1024')).toBe('1024M');
  expect(memoryToSlurm('100K')).toBe('1M');
  expect(memoryToSlurm('1T')).toBe('1048576M');
  expect(memoryToSlurm(300)).toBe('300M');
  expect(() => memoryToSlurm('8 gigs')).toThrow(
    "Invalid memory '8 gigs': use a number with a unit"
  );
  expect(() => memoryToSlurm('0G')).toThrow(/more than zero/);
  // Every form is normalised to [D-]HH:MM:SS; a bare number is minutes, as Slurm reads it.
  expect(walltimeToSlurm('1')).toBe('00:01:00');
  expect(walltimeToSlurm('2-12:00:00')).toBe('2-12:00:00');
  expect(walltimeToSlurm('2-12')).toBe('2-12:00:00');
  expect(walltimeToSlurm('10:30')).toBe('00:10:30');
  expect(walltimeToSlurm('30m')).toBe('00:30:00');
  expect(walltimeToSlurm('90s')).toBe('00:01:30');
  expect(walltimeToSlurm('2h')).toBe('02:00:00');
  expect(walltimeToSlurm('1h30m')).toBe('01:30:00');
  expect(walltimeToSlurm('1d2h')).toBe('1-02:00:00');
  expect(walltimeToSlurm('1.5d')).toBe('1-12:00:00');
  expect(walltimeToSlurm(45)).toBe('00:45:00');
  expect(() => walltimeToSlurm('1:75')).toThrow("Invalid walltime '1:75': minutes and seconds");
});

test('array spec with and without a throttle', () => {
  expect(arraySpec(1)).toBe('0');
  expect(arraySpec(10)).toBe('0-9');
  expect(arraySpec(10, 3)).toBe('0-9%3');
  expect(arraySpec(10, 10)).toBe('0-9');
  expect(arraySpec(10, 0)).toBe('0-9');
  expect(arraySpec(10, null)).toBe('0-9');
});

test('the sbatch argv of one array', () => {
  const argv = sbatchArgv({
    sbatch: '/opt/slurm/bin/sbatch',
    jobName: jobName('grp1', 2),
    comment: 'bulkrun:grp1',
    count: 1000,
    maxParallel: 50,
    nice: 100,
    resourceArgs: ['--cpus-per-task=2', '--mem=1024M'],
    extraArgs: ['--constraint=intel', '--export=NONE'],
    output: '/state/logs/slurm-%A.out',
    chdir: '/state',
    script: '/state/array-task.sh',
    mapFile: '/state/submit/grp1.2.map',
    wrapper: '/state/wrapper.sh',
  });
  expect(argv).toEqual([
    '/opt/slurm/bin/sbatch',
    '--parsable',
    '--array=0-999%50',
    '--job-name=bulkrun:grp1:2',
    '--comment=bulkrun:grp1',
    '--chdir=/state',
    '--output=/state/logs/slurm-%A.out',
    '--open-mode=append',
    '--nice=100',
    '--cpus-per-task=2',
    '--mem=1024M',
    '--constraint=intel',
    '--export=NONE',
    '/state/array-task.sh',
    '/state/submit/grp1.2.map',
    '/state/wrapper.sh',
  ]);
  const single = sbatchArgv({
    sbatch: 'sbatch',
    jobName: 'bulkrun:g:0',
    comment: 'bulkrun:g',
    count: 1,
    nice: 0,
    resourceArgs: [],
    extraArgs: [],
    output: '/o',
    chdir: '/s',
    script: '/s/a.sh',
    mapFile: '/s/m',
    wrapper: '/s/w.sh',
  });
  expect(single).toContain('--array=0');
  expect(single.some(a => a.startsWith('--nice'))).toBe(false);
});

test('job names and sbatch output', () => {
  expect(parseJobName('bulkrun:abc-123:7')).toEqual({ groupId: 'abc-123', part: 7 });
  expect(parseJobName('bulkrun:a:b:3')).toEqual({ groupId: 'a:b', part: 3 });
  expect(parseJobName('wrap')).toBeNull();
  expect(parseSbatchParsable('4242\n')).toBe('4242');
  expect(parseSbatchParsable('4242;cluster1\n')).toBe('4242');
  expect(parseSbatchParsable('sbatch: warning: x\n77\n')).toBe('77');
  expect(parseSbatchParsable('')).toBeNull();
});

describe('the array task script (run with bash, without Slurm)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slurm-script-'));
  const script = path.join(dir, 'array-task.sh');
  const wrapper = path.join(dir, 'fake-wrapper.sh');
  const map = path.join(dir, 'map');
  const work = [path.join(dir, 'w 0'), path.join(dir, "w'1"), path.join(dir, 'w$(x)2')];
  beforeAll(() => {
    fs.writeFileSync(script, ARRAY_TASK_SCRIPT);
    // Stands in for wrapper.sh: records what it was given.
    fs.writeFileSync(wrapper, 'printf "%s|%s" "$1" "${BULKRUN_REQUEUE_OK:-}" > "$1/ran"\n');
    for (const w of work) fs.mkdirSync(w);
    fs.writeFileSync(map, work.map(w => w + '\n').join(''));
  });
  const run = (env: Record<string, string>) =>
    execFileSync('bash', [script, map, wrapper], {
      env: { PATH: process.env.PATH, ...env },
      encoding: 'utf8',
    });

  test('each task index runs the wrapper on its own line of the map', () => {
    run({ SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_JOB_ID: '55' });
    run({ SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_JOB_ID: '55' });
    expect(fs.readFileSync(path.join(work[2], 'ran'), 'utf8')).toBe(`${work[2]}|`);
    expect(fs.readFileSync(path.join(work[0], 'ran'), 'utf8')).toBe(`${work[0]}|`);
    expect(fs.existsSync(path.join(work[1], 'ran'))).toBe(false);
    expect(fs.readFileSync(path.join(work[2], 'slurm-job'), 'utf8')).toBe('55_2\n');
  });

  test('a requeued task may take over its own claim', () => {
    run({ SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_JOB_ID: '55', SLURM_RESTART_COUNT: '1' });
    expect(fs.readFileSync(path.join(work[1], 'ran'), 'utf8')).toBe(`${work[1]}|1`);
  });

  test('an index past the map fails with 96 and says why', () => {
    let err: { status?: number; stderr?: string } = {};
    try {
      execFileSync('bash', [script, map, wrapper], {
        env: { PATH: process.env.PATH, SLURM_ARRAY_TASK_ID: '9', SLURM_ARRAY_JOB_ID: '55' },
        stdio: 'pipe',
        encoding: 'utf8',
      });
    } catch (e) {
      err = e as typeof err;
    }
    expect(err.status).toBe(96);
    expect(err.stderr).toMatch(/no work dir for array task 9/);
  });
});

describe('work dirs created by the array task from MAP.jobs', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slurm-jobs-'));
  const script = path.join(dir, 'array-task.sh');
  const wrapper = path.join(dir, 'fake-wrapper.sh');
  const map = path.join(dir, 'g.0.map');
  // Non-ASCII and shell metacharacters: offsets are bytes, values pass untouched.
  const rows: { dir: string; argv: string[]; env: Record<string, string> }[] = [
    { dir: path.join(dir, 'jobs', 'ab', 'r0'), argv: ['echo', 'héllo wörld'], env: { A: '1' } },
    {
      dir: path.join(dir, 'jobs', 'cd', 'r1'),
      argv: ['printf', '%s', '$(rm -rf /); "q"'],
      env: {},
    },
    { dir: path.join(dir, 'jobs', 'ab', 'r2'), argv: ['true'], env: { B: 'x\ny', C: 'ü' } },
  ];
  const items = rows.map((r, i) => ({
    jobId: `r${i}`,
    batchId: 'b',
    role: 'task' as const,
    index: i,
    workDir: r.dir,
    argv: r.argv,
    resources: {},
    priority: 0,
    job: jobFileText(r.argv, r.env),
  }));
  beforeAll(() => {
    fs.writeFileSync(script, ARRAY_TASK_SCRIPT);
    fs.writeFileSync(wrapper, 'cp "$1/job" "$1/ran"\n');
    writeArrayFiles(map, items);
  });
  const run = (i: number) =>
    execFileSync('bash', [script, map, wrapper], {
      env: { PATH: process.env.PATH, SLURM_ARRAY_TASK_ID: String(i), SLURM_ARRAY_JOB_ID: '7' },
      encoding: 'utf8',
    });

  test('nothing exists on disk before a task runs but the two array files', () => {
    expect(fs.existsSync(path.join(dir, 'jobs'))).toBe(false);
    expect(fs.readFileSync(map, 'utf8').split('\n')[1]).toMatch(/\/cd\/r1\t\d+\t\d+$/);
  });

  test('each task writes exactly its own job file, byte for byte', () => {
    for (const i of [2, 0, 1]) run(i);
    rows.forEach((r, i) => {
      expect(fs.readFileSync(path.join(r.dir, 'job'), 'utf8')).toBe(items[i].job);
      expect(fs.readFileSync(path.join(r.dir, 'ran'), 'utf8')).toBe(items[i].job);
      expect(fs.readFileSync(path.join(r.dir, 'slurm-job'), 'utf8')).toBe(`7_${i}\n`);
    });
  });

  test('a job file already in place is kept (a requeue, or a work dir the engine wrote)', () => {
    fs.writeFileSync(path.join(rows[0].dir, 'job'), 'kept');
    run(0);
    expect(fs.readFileSync(path.join(rows[0].dir, 'job'), 'utf8')).toBe('kept');
  });
});
