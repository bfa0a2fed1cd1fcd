/**
 * The compiled `bulkrun` CLI as a child process against a real server (temp data dir, local
 * backend, the demo apps): submit --wait, status, retry, logs, cancel, apps, dynamic fan-out.
 * Needs the build (`npm run build` in kernel-ext; `make test` does it first).
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ApiClient } from '../src/cli/client';
import { watchRecord } from '../src/cli/watch';
import { startServer } from '../src/server';
import { KERNEL_EXT, startTestServer, tempDir, type TestServer } from './helpers/server';

const CLI = path.join(KERNEL_EXT, 'bin', 'bulkrun.js');
const DIST_MAIN = path.join(KERNEL_EXT, 'dist', 'cli', 'main.js');

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(
  args: string[],
  env: Record<string, string | undefined> = {},
  cwd?: string
): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      env: { ...process.env, BULKRUN_URL: undefined, BULKRUN_TOKEN: undefined, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', d => (stdout += d));
    child.stderr.on('data', d => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 45000);
    child.on('error', reject);
    child.on('close', code => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The newest mtime under a dir (sources that the build must be newer than). */
function newest(dir: string): number {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return t;
}

let srv: TestServer;
let env: Record<string, string>;
let work: string;
const bulkrun = (...args: string[]) => run(args, env, work);

beforeAll(async () => {
  if (!fs.existsSync(DIST_MAIN))
    throw new Error(`${DIST_MAIN} is missing: run "npm run build" in kernel-ext first`);
  const src = Math.max(
    newest(path.join(KERNEL_EXT, 'src', 'cli')),
    newest(path.join(KERNEL_EXT, 'src', 'apps'))
  );
  if (fs.statSync(DIST_MAIN).mtimeMs < src - 1000) {
    throw new Error(`${DIST_MAIN} is older than src/cli: run "npm run build" in kernel-ext first`);
  }
  srv = await startTestServer();
  env = { BULKRUN_URL: srv.url, BULKRUN_TOKEN: srv.token };
  work = tempDir('bulkrun-cli-');
});

afterAll(async () => {
  await srv?.close();
});

function write(name: string, text: string): string {
  const p = path.join(work, name);
  fs.writeFileSync(p, text);
  return p;
}

test('usage errors exit 2; --help exits 0', async () => {
  expect((await run([])).code).toBe(2);
  const help = await run(['--help']);
  expect(help.code).toBe(0);
  expect(help.stdout).toMatch(/submit \[options\] <spec>/);
  expect((await run(['submit', '--help'])).code).toBe(0);
  const noServer = await run(['apps']);
  expect(noServer.code).toBe(2);
  expect(noServer.stderr).toMatch(/set BULKRUN_URL/);
  expect((await bulkrun('status')).code).toBe(2);
  expect((await bulkrun('submit', '--bogus', 'x.csv')).code).toBe(2);
  expect((await bulkrun('submit', 'missing.csv', '--app', 'demo-echo')).stderr).toMatch(
    /cannot read missing\.csv/
  );
  expect((await bulkrun('submit', write('rows-noapp.csv', 'message\na\n'))).stderr).toMatch(
    /--app/
  );
  expect((await bulkrun('submit', 'x.csv', '--max-parallel', 'two')).code).toBe(2);
  expect((await bulkrun('retry')).code).toBe(2);
});

test('API errors exit 1 with the server message; a wrong token says so', async () => {
  const r = await bulkrun('status', 'nosuchjob');
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/not found.*\[404 not_found\]/);
  const bad = await run(['apps'], { ...env, BULKRUN_TOKEN: 'wrong' });
  expect(bad.code).toBe(1);
  expect(bad.stderr).toMatch(/\[401 unauthorized\]/);
});

test('apps lists the demo apps and shows one', async () => {
  const r = await bulkrun('apps');
  expect(r.code).toBe(0);
  for (const id of [
    'demo-echo',
    'demo-fail',
    'demo-fanout',
    'demo-merge',
    'demo-sleep',
    'demo-wordcount',
  ]) {
    expect(r.stdout).toContain(id);
  }
  const json = JSON.parse((await bulkrun('apps', '--json')).stdout);
  expect(json.apps.find((a: any) => a.id === 'demo-echo').version).toBe('1.0.0');
  expect(json.problems).toEqual([]);
  const one = await bulkrun('apps', 'demo-wordcount');
  expect(one.stdout).toMatch(/input \*\s+string:path/);
});

test('submit --wait: a CSV batch with a failing row exits 1; status, logs and retry', async () => {
  const csv = write(
    'mixed.csv',
    'fail,exitCode,message\nfalse,,\ntrue,3,"boom; $(id) ""q"""\nno,,\n'
  );
  const sub = await bulkrun(
    'submit',
    csv,
    '--app',
    'demo-fail',
    '--fan-in',
    'demo-merge',
    '--wait'
  );
  expect(sub.stderr).toMatch(/submitted batch \w+: 3 rows of demo-fail with fan-in demo-merge/);
  expect(sub.code).toBe(1);
  const id = sub.stdout.trim();
  expect(id).toMatch(/^\w+$/);
  expect(sub.stderr).toMatch(
    new RegExp(`batch ${id} error: 0 queued, 0 running, 2 completed, 1 failed`)
  );

  const st = await bulkrun('status', id);
  expect(st.code).toBe(0);
  expect(st.stdout).toMatch(/0 queued, 0 running, 2 completed, 1 failed/);
  expect(st.stdout).toMatch(/fan-in demo-merge \(all_completed\): not started/);
  expect(st.stdout).toMatch(/1\s+(\w+)\s+error \(job_crashed\)/);
  const failedId = /\n1\s+(\w+)\s+error/.exec(st.stdout)![1];

  const rec = JSON.parse((await bulkrun('status', id, '--json')).stdout);
  expect(rec).toMatchObject({ id, batchJob: true, status: 'error', total: 3 });

  const err = await bulkrun('logs', failedId, '--stderr');
  expect(err.code).toBe(0);
  expect(err.stdout).toContain('demo-fail: boom; $(id) "q" (exit code 3)');
  const job = await bulkrun('status', failedId);
  expect(job.stdout).toMatch(/exit code:\s+3/);
  expect(job.stdout).toMatch(/error:\s+job_crashed/);

  const parent = await bulkrun('retry', id);
  expect(parent.code).toBe(1);
  expect(parent.stdout).toContain('Cannot retry batch job parents. Must retry individual jobs');

  const retry = await bulkrun('retry', '--batch', id);
  expect(retry.code).toBe(0);
  expect(retry.stdout).toMatch(new RegExp(`${failedId}: retried as \\w+`));
  // The retry fails again (same params): the batch ends in error, and the row counts as retried.
  const watch = await bulkrun('status', id, '--watch');
  expect(watch.code).toBe(1);
  expect(watch.stdout).toMatch(/2 completed, 1 failed \(1 retried\)/);
});

test('submit --wait of a YAML batch that succeeds exits 0 and the fan-in merges in row order', async () => {
  const spec = write(
    'ok.yaml',
    'app: demo-echo\nshared: {repeat: 1}\nparams:\n  - {message: "first"}\n  - {message: "two words; `x` $(y)"}\n  - {message: "ünïcödé\\nline"}\nfanIn: {app: demo-merge}\n'
  );
  const sub = await bulkrun('submit', spec, '--wait', '--label', 'ok batch');
  expect(sub.code).toBe(0);
  const id = sub.stdout.trim();
  const b = JSON.parse((await bulkrun('status', id, '--json')).stdout);
  expect(b).toMatchObject({ status: 'completed', label: 'ok batch', counts: { completed: 3 } });
  const fanIn = JSON.parse((await bulkrun('status', b.fanInJobId, '--json')).stdout);
  expect(fanIn.output.messages).toEqual(['first', 'two words; `x` $(y)', 'ünïcödé\nline']);
  const st = await bulkrun('status', id);
  expect(st.stdout).toMatch(/fan-in \w+: completed, output \{"title":"merged","rows":3/);
  const logs = await bulkrun('logs', id);
  expect(logs.code).toBe(1);
  expect(logs.stderr).toContain(`${id} is a batch: its rows have the logs`);
  // --set overrides the spec's shared values; the rows' own values still win.
  const set = await bulkrun(
    'submit',
    spec,
    '--set',
    'repeat=2',
    '--set',
    'message=shared',
    '--wait'
  );
  expect(set.code).toBe(0);
  const rows = JSON.parse(
    (await bulkrun('status', set.stdout.trim(), '--json', '--jobs')).stdout
  ).jobs;
  expect(rows.filter((j: any) => j.role === 'task').map((j: any) => j.params)).toEqual([
    { message: 'first', repeat: 2, delay: 0 },
    { message: 'two words; `x` $(y)', repeat: 2, delay: 0 },
    { message: 'ünïcödé\nline', repeat: 2, delay: 0 },
  ]);
  const set2 = await bulkrun(
    'submit',
    write('set.csv', 'message\na\n'),
    '--app',
    'demo-echo',
    '--set',
    'repeat=2'
  );
  const row = JSON.parse((await bulkrun('status', set2.stdout.trim(), '--json', '--jobs')).stdout)
    .jobs[0];
  expect(row.params).toEqual({ message: 'a', repeat: 2, delay: 0 });
  expect((await bulkrun('submit', spec, '--set', 'novalue')).code).toBe(2);
  const list = await bulkrun('jobs');
  expect(list.stdout).toContain(id);
  expect(list.stdout).toContain('ok batch');
});

test('validation errors name every row and field with CSV line numbers; nothing is created', async () => {
  const before = JSON.parse((await bulkrun('jobs', '--json', '--limit', '100')).stdout).batches
    .length;
  const csv = write('bad.csv', 'message,repeat\nok,1\nx,three\n"multi\nline",0\n');
  const r = await bulkrun('submit', csv, '--app', 'demo-echo');
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('error: Invalid request: 2 problems [400 validation_failed]');
  expect(r.stderr).toContain('row 1 (line 3), repeat: must be an integer');
  expect(r.stderr).toContain('row 2 (line 4), repeat: must be >= 1');
  const unknown = await bulkrun('submit', csv, '--app', 'no-such-app');
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toMatch(/Unknown app 'no-such-app'/);
  const after = JSON.parse((await bulkrun('jobs', '--json', '--limit', '100')).stdout).batches
    .length;
  expect(after).toBe(before);
});

test('single job: logs -f follows until the job ends; cancel stops a batch', async () => {
  const spec = write(
    'job.json',
    JSON.stringify({ app: 'demo-echo', params: { message: 'tick', repeat: 3, delay: 0.4 } })
  );
  const sub = await bulkrun('submit', spec);
  expect(sub.code).toBe(0);
  const jobId = sub.stdout.trim();
  const t0 = Date.now();
  const logs = await bulkrun('logs', jobId, '-f');
  expect(logs.code).toBe(0);
  expect(logs.stdout.split('\n').filter(l => l === 'tick')).toHaveLength(3);
  expect(Date.now() - t0).toBeGreaterThan(500);

  const sleepy = write(
    'sleep.json',
    JSON.stringify({ app: 'demo-sleep', params: [{ seconds: 60 }, { seconds: 60 }] })
  );
  const b = await bulkrun('submit', sleepy);
  const batchId = b.stdout.trim();
  const waiting = bulkrun('status', batchId, '--watch');
  const c = await bulkrun('cancel', batchId);
  expect(c.code).toBe(0);
  expect(c.stdout).toMatch(new RegExp(`batch ${batchId} terminated`));
  const w = await waiting;
  expect(w.code).toBe(1);
  expect(w.stdout).toMatch(/2 cancelled/);
  const again = await bulkrun('cancel', batchId);
  expect(again.code).toBe(0);
});

test('dynamic fan-out: demo-fanout runs `bulkrun fanout` and its tasks and fan-in complete', async () => {
  const spec = write(
    'fanout.json',
    JSON.stringify({ app: 'demo-fanout', params: { n: 3, prefix: 'child' } })
  );
  const sub = await bulkrun('submit', spec, '--wait');
  expect(sub.code).toBe(0);
  const id = sub.stdout.trim();
  const b = JSON.parse((await bulkrun('status', id, '--json')).stdout);
  expect(b).toMatchObject({
    batchJob: true,
    status: 'completed',
    total: 3,
    label: `fan-out of ${id}`,
  });
  const fanIn = JSON.parse((await bulkrun('status', b.fanInJobId, '--json')).stdout);
  expect(fanIn.output.messages).toEqual(['child 0', 'child 1', 'child 2']);
  const log = await bulkrun('logs', id);
  expect(log.stdout).toContain('demo-fanout: fanning out 3 demo-echo tasks');
  // Outside a job, fanout refuses.
  const outside = await bulkrun('fanout', '--rows', 'x.csv', '--app', 'demo-echo');
  expect(outside.code).toBe(2);
  expect(outside.stderr).toMatch(/inside a Bulkrun job/);
});

test('watching falls back to polling when the event socket is not used', async () => {
  const client = new ApiClient(srv.url, srv.token);
  const res = await client.post('/jobs', { app: 'demo-echo', params: { message: 'poll' } });
  const modes: string[] = [];
  const final = await watchRecord(client, res.job.id, {
    noSocket: true,
    pollMs: 100,
    onMode: m => modes.push(m),
  });
  expect(final.status).toBe('completed');
  expect(modes).toEqual(['polling']);
});

test('a server on a Unix socket: serve through the CLI, then submit --wait over unix:', async () => {
  const dir = tempDir('bulkrun-cli-unix-');
  const sock = path.join(dir, 'b.sock');
  const server = spawn(
    process.execPath,
    [
      CLI,
      'serve',
      '--unix-socket',
      sock,
      '--data-dir',
      path.join(dir, 'data'),
      '--token',
      'unix-tok',
      '--log-level',
      'warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] }
  );
  try {
    let out = '';
    server.stdout.on('data', d => (out += d));
    const deadline = Date.now() + 20000;
    while (!out.includes('listening on') && Date.now() < deadline)
      await new Promise(r => setTimeout(r, 100));
    expect(out).toContain(`Bulkrun server listening on unix:${sock}`);
    const uenv = { BULKRUN_URL: `unix:${sock}`, BULKRUN_TOKEN: 'unix-tok' };
    expect((await run(['apps'], uenv)).stdout).toContain('demo-echo');
    const spec = write(
      'unix.json',
      JSON.stringify({ app: 'demo-echo', params: [{ message: 'a' }, { message: 'b' }] })
    );
    const sub = await run(['submit', spec, '--wait'], uenv);
    expect(sub.stderr).toMatch(/completed: 0 queued, 0 running, 2 completed, 0 failed/);
    expect(sub.code).toBe(0);
  } finally {
    server.kill('SIGTERM');
    await new Promise(r => server.once('close', r));
  }
  expect(server.exitCode).toBe(0);
});

test('--url/--token flags; `bulkrun fanout --rows CSV` inside a job types cells with the job token', async () => {
  const dir = tempDir('bulkrun-cli-port-');
  const apps = path.join(dir, 'apps');
  fs.mkdirSync(apps);
  const rows = path.join(dir, 'rows.csv');
  fs.writeFileSync(rows, 'message,repeat\n"x, y",2\nz,1\n');
  fs.writeFileSync(
    path.join(apps, 'csv-fanout.json'),
    JSON.stringify({
      id: 'csv-fanout',
      version: '1.0.0',
      title: 'CSV fan-out',
      description: 'Fans out the rows of a CSV file as demo-echo tasks.',
      command: [
        'node',
        CLI,
        'fanout',
        '--rows',
        '{rows}',
        '--app',
        'demo-echo',
        '--fan-in',
        'demo-merge',
      ],
      parameters: {
        type: 'object',
        properties: { rows: { type: 'string', format: 'path' } },
        required: ['rows'],
        additionalProperties: false,
      },
    })
  );
  const s = await startServer({
    port: 0,
    dataDir: dir,
    token: 'p-tok',
    logLevel: 'warn',
    apps: [apps],
  });
  try {
    const r = await run(['apps', '--json'], { BULKRUN_URL: s.url, BULKRUN_TOKEN: 'p-tok' });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).apps.map((a: any) => a.id)).toContain('csv-fanout');
    const spec = write('csv-fanout.json', JSON.stringify({ app: 'csv-fanout', params: { rows } }));
    const sub = await run(['--url', s.url, '--token', 'p-tok', 'submit', spec, '--wait']);
    expect(sub.stderr).toMatch(/completed: 0 queued, 0 running, 2 completed, 0 failed/);
    expect(sub.code).toBe(0);
    const id = sub.stdout.trim();
    const jobs = JSON.parse(
      (await run(['--url', s.url, '--token', 'p-tok', 'status', id, '--json', '--jobs'])).stdout
    ).jobs;
    expect(jobs.filter((j: any) => j.role === 'task').map((j: any) => j.params)).toEqual([
      { message: 'x, y', repeat: 2, delay: 0 },
      { message: 'z', repeat: 1, delay: 0 },
    ]);
    const log = await run(['--url', s.url, '--token', 'p-tok', 'logs', id, '--stderr']);
    expect(log.stdout).toContain('fanned out 2 tasks of demo-echo with fan-in demo-merge');
  } finally {
    await s.close();
  }
});

test('priority changes; Ctrl-C during --wait stops watching, not the job; --as-admin reaches other users', async () => {
  const spec = write('long.json', JSON.stringify({ app: 'demo-sleep', params: { seconds: 60 } }));
  const child = spawn(process.execPath, [CLI, 'submit', spec, '--wait'], {
    cwd: work,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', d => (stdout += d));
  child.stderr.on('data', d => (stderr += d));
  const deadline = Date.now() + 20000;
  while (!/running/.test(stderr) && Date.now() < deadline)
    await new Promise(r => setTimeout(r, 50));
  child.kill('SIGINT');
  const code = await new Promise(r => child.once('close', r));
  expect(code).toBe(130);
  const id = stdout.trim();
  expect(stderr).toContain(`stopped watching; ${id} keeps running`);
  expect(JSON.parse((await bulkrun('status', id, '--json')).stdout).status).toBe('running');

  const p = await bulkrun('priority', id, '7');
  expect(p.code).toBe(0);
  expect(p.stdout).toBe(`${id}: priority 7\n`);
  expect((await bulkrun('priority', id, 'high')).code).toBe(2);

  // Another user sees nothing of it; an admin does with --as-admin.
  const bob = await run(['status', id], { ...env, BULKRUN_TOKEN: 'test-token-bob' });
  expect(bob.code).toBe(1);
  expect(bob.stderr).toMatch(/404 not_found/);
  const root = { ...env, BULKRUN_TOKEN: 'test-token-root' };
  expect((await run(['status', id], root)).code).toBe(1);
  const admin = await run(['--as-admin', 'cancel', id], root);
  expect(admin.code).toBe(0);
  expect(admin.stdout).toMatch(/terminated/);
});

test('submit: relative paths in a CSV are files under the working directory, checked first', async () => {
  fs.mkdirSync(path.join(work, 'texts'), { recursive: true });
  fs.writeFileSync(path.join(work, 'texts', 'a.txt'), 'alpha\n');
  fs.writeFileSync(path.join(work, 'rows-paths.csv'), 'input\ntexts/a.txt\n');
  const ok = await bulkrun('submit', 'rows-paths.csv', '--app', 't-cat', '--wait');
  expect(ok.stderr).toMatch(/1 completed, 0 failed/);
  expect(ok.code).toBe(0);
  fs.writeFileSync(path.join(work, 'rows-missing.csv'), 'input\ntexts/a.txt\ntexts/b.txt\n');
  const bad = await bulkrun('submit', 'rows-missing.csv', '--app', 't-cat');
  expect(bad.code).toBe(1);
  expect(bad.stderr).toContain('texts/b.txt: no such file or directory');
  expect(bad.stderr).toMatch(/\(line 3\), input: texts\/b.txt/);
});
