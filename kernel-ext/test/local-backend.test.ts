/**
 * The local backend's process plumbing: the spawner and its keepers (backends/spawner.pl)
 * and what the backend does when an exit report does not come. Real perl and processes.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as readline from 'readline';
import type { StatusUpdate } from '../src/backends/base';
import { LocalBackend } from '../src/backends/local';
import { jobFileText, readExit, writeWorkDir } from '../src/backends/workdir';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bulkrun-local-'));
const SPAWNER = path.join(__dirname, '..', 'src', 'backends', 'spawner.pl');
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

test('the spawner reports every exit when each start waits for an exit (2 slots, 3,000 jobs)', async () => {
  // The way the engine uses it under a slot limit: the next job is sent only when an
  // exit is reported, so one missed report would hold a slot forever.
  const total = 3000;
  const dirs = Array.from({ length: total }, (_, i) => path.join(root, 'many', `j${i}`));
  const job = jobFileText(['true'], { PATH: process.env.PATH ?? '/usr/bin:/bin' });
  for (const d of dirs) writeWorkDir(d, job);
  const sp = spawn('perl', [SPAWNER], { stdio: ['pipe', 'pipe', 'inherit'] });
  let sent = 0;
  let exited = 0;
  const send = () => sp.stdin.write(`j${sent}\t${dirs[sent++]}\n`);
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`stalled: ${exited} of ${total} exits reported, ${sent} sent`)),
      60000
    );
    readline.createInterface({ input: sp.stdout }).on('line', line => {
      if (!line.startsWith('E ')) return;
      exited++;
      if (exited === total) {
        clearTimeout(timer);
        resolve();
      } else if (sent < total) send();
    });
  });
  send();
  send();
  try {
    await done;
  } finally {
    sp.stdin.end();
  }
  expect(exited).toBe(total);
  expect(dirs.filter(d => readExit(d)?.exitCode !== 0)).toEqual([]);
}, 70000);

test('an exit the spawner never reports is taken from the work dir after a grace period', async () => {
  const updates: StatusUpdate[] = [];
  const warnings: string[] = [];
  const log = {
    debug: () => undefined,
    info: () => undefined,
    warn: (_o: unknown, msg?: string) => warnings.push(String(msg)),
    error: () => undefined,
  };
  const b = new LocalBackend({ slots: 2 });
  await b.init({
    log: log as any,
    emit: u => updates.push(...u),
    stateDir: path.join(root, 'state'),
  });
  const workDir = path.join(root, 'job1');
  writeWorkDir(
    workDir,
    jobFileText(['sleep', '0.3'], { PATH: process.env.PATH ?? '/usr/bin:/bin' })
  );
  const spawnerPid = (b as any).spawner.pid as number;
  try {
    const [outcome] = await b.submit({
      groupId: 'g1',
      items: [
        {
          jobId: 'job1',
          batchId: null,
          role: 'single',
          index: null,
          workDir,
          argv: ['sleep', '0.3'],
          resources: {},
          priority: 0,
        },
      ],
    });
    expect(outcome.backendJobId).toMatch(/^\d+$/);
    // The spawner stops listening: the job finishes, its report never comes.
    process.kill(spawnerPid, 'SIGSTOP');
    const tracked = [
      {
        jobId: 'job1',
        backendJobId: outcome.backendJobId!,
        groupId: 'g1',
        workDir,
        status: 'running' as const,
      },
    ];
    while (!fs.existsSync(path.join(workDir, 'exit'))) await sleep(50);
    expect(await b.poll(tracked)).toEqual([]); // within the grace period: the report may still come
    await sleep(2200);
    const [done] = await b.poll(tracked);
    expect(done).toMatchObject({ jobId: 'job1', status: 'completed', exitCode: 0 });
    expect(warnings).toContain('local spawner did not report an exit; taken from the work dir');
    expect(updates.filter(u => u.status === 'completed')).toEqual([]);
  } finally {
    process.kill(spawnerPid, 'SIGCONT');
    await b.close();
  }
}, 20000);

// A job that touches 200 MiB and burns about 0.6 s of CPU, then exits.
const HOG = [
  'perl',
  '-e',
  // Checks the clock every 100,000 iterations: times() itself is a system call.
  'my $b = ""; vec($b, 200 * 1024 * 1024 - 1, 8) = 1; for (;;) { for (1 .. 100000) {} last if (times)[0] >= 0.6 } my @t = times; print $t[0] + $t[1]',
];

test('a finished local job carries its usage: wall, CPU and peak memory from the kernel', async () => {
  const updates: StatusUpdate[] = [];
  const log = { debug() {}, info() {}, warn() {}, error() {} };
  const b = new LocalBackend({ slots: 2 });
  await b.init({
    log: log as any,
    emit: u => updates.push(...u),
    stateDir: path.join(root, 'state2'),
  });
  const workDir = path.join(root, 'hog');
  writeWorkDir(workDir, jobFileText(HOG, { PATH: process.env.PATH ?? '/usr/bin:/bin' }));
  try {
    await b.submit({
      groupId: 'g2',
      items: [
        {
          jobId: 'hog',
          batchId: null,
          role: 'single',
          index: null,
          workDir,
          argv: HOG,
          resources: {},
          priority: 0,
        },
      ],
    });
    while (!updates.some(u => u.status === 'completed')) await sleep(50);
  } finally {
    await b.close();
  }
  const done = updates.find(u => u.status === 'completed')!;
  const mib = done.usage!.maxRssBytes! / 2 ** 20;
  // The string is 200 MiB; perl itself adds a few MiB, vec() zero-fills every page.
  expect(mib).toBeGreaterThan(200);
  expect(mib).toBeLessThan(220);
  // The job prints its own CPU time; wait4's figure adds only the wrapper and perl's start.
  const own = Number(fs.readFileSync(path.join(workDir, 'stdout.log'), 'utf8'));
  expect(own).toBeGreaterThanOrEqual(0.6);
  expect(done.usage!.cpuSeconds!).toBeGreaterThanOrEqual(own);
  expect(done.usage!.cpuSeconds!).toBeLessThan(own * 1.1);
  expect(done.usage!.wallSeconds!).toBeGreaterThanOrEqual(done.usage!.cpuSeconds! * 0.9);
  expect(done.usage!.source).toBe('wrapper');
}, 20000);
