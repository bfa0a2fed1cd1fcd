/**
 * The local backend's process plumbing: the spawner (backends/spawner.pl) and what the
 * backend does when an exit report does not come. Real perl, bash and processes.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as readline from 'readline';
import type { StatusUpdate } from '../src/backends/base';
import { LocalBackend } from '../src/backends/local';
import { jobFileText, writeWorkDir } from '../src/backends/workdir';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bulkrun-local-'));
const SPAWNER = path.join(__dirname, '..', 'src', 'backends', 'spawner.pl');
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

test('the spawner reports every exit when each start waits for an exit (2 slots, 3,000 jobs)', async () => {
  // The way the engine uses it under a slot limit: the next job is sent only when an
  // exit is reported, so one missed report would hold a slot forever.
  const wrapper = path.join(root, 'exit0.sh');
  fs.writeFileSync(wrapper, 'exit 0\n');
  const sp = spawn('perl', [SPAWNER, wrapper], { stdio: ['pipe', 'pipe', 'inherit'] });
  const total = 3000;
  let sent = 0;
  let exited = 0;
  const send = () => sp.stdin.write(`j${sent++}\t${root}\n`);
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
  await b.init({ log: log as any, emit: u => updates.push(...u), stateDir: path.join(root, 'state') });
  const workDir = path.join(root, 'job1');
  writeWorkDir(workDir, jobFileText(['sleep', '0.3'], { PATH: process.env.PATH ?? '/usr/bin:/bin' }));
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
      { jobId: 'job1', backendJobId: outcome.backendJobId!, groupId: 'g1', workDir, status: 'running' as const },
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
