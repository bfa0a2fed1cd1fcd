/**
 * The local keeper (backends/spawner.pl): what wrapper.sh does on the other backends,
 * done by a fork of the spawner. Real perl, real processes, real work dirs.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as readline from 'readline';
import { exitCodeError } from '../src/backends/exit-record';
import { jobFileText, readExit, readStarted, writeWorkDir } from '../src/backends/workdir';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bulkrun-keeper-'));
const SPAWNER = path.join(__dirname, '..', 'src', 'backends', 'spawner.pl');
const PATH = process.env.PATH ?? '/usr/bin:/bin';
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/**
 * Runs the work dir under a fresh spawner, sending `job` as its job file if given;
 * the keeper's exit code and pid.
 */
async function keep(
  dir: string,
  job?: string
): Promise<{ code: number; pid: number; line: string }> {
  const sp = spawn('perl', [SPAWNER], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<{ code: number; pid: number; line: string }>(resolve =>
    readline.createInterface({ input: sp.stdout }).on('line', line => {
      const [kind, , pid, status] = line.split('\t')[0].split(' ');
      if (kind === 'E') resolve({ code: Number(status) >> 8, pid: Number(pid), line });
    })
  );
  if (job === undefined) sp.stdin.write(`k\t${dir}\n`);
  else {
    // In two writes, split inside the job file: the spawner waits for all of it.
    const bytes = Buffer.from(job);
    sp.stdin.write(
      Buffer.concat([Buffer.from(`k\t${dir}\t${bytes.length}\n`), bytes.subarray(0, 5)])
    );
    setTimeout(() => sp.stdin.write(bytes.subarray(5)), 50);
  }
  try {
    return await exited;
  } finally {
    sp.stdin.end();
  }
}

const read = (d: string, f: string) => fs.readFileSync(path.join(d, f), 'utf8');

test('runs the argv of the job file with its environment, byte for byte, never through a shell', async () => {
  const d = path.join(root, 'argv');
  const tricky = `quote ' " $(echo no) ; \\ \n newline *`;
  writeWorkDir(
    d,
    jobFileText(
      [
        'node',
        '-e',
        'process.stdout.write(JSON.stringify([process.argv.slice(1), process.env.X, process.cwd()])); console.error("err"); process.exit(3)',
        tricky,
        '',
      ],
      { X: 'a=b c', PATH }
    )
  );
  const { code, pid, line } = await keep(d);
  expect(code).toBe(3);
  // The exit report carries the records as written, so the server reads no file.
  expect(line.split('\t').slice(1)).toEqual([
    read(d, 'exit').trimEnd(),
    read(d, 'claim').trimEnd(),
  ]);
  expect(JSON.parse(read(d, 'stdout.log'))).toEqual([[tricky, ''], 'a=b c', d]);
  expect(read(d, 'stderr.log')).toBe('err\n');
  expect(readExit(d)?.exitCode).toBe(3);
  expect(readStarted(d)?.pid).toBe(pid);
  expect(read(d, 'claim')).toMatch(new RegExp(`^${pid} \\d{16}\\n$`));
  // Wall time from the records, to the microsecond.
  expect(readExit(d)!.at.getTime()).toBeGreaterThanOrEqual(readStarted(d)!.at.getTime());
});

test('runs the job file the request carries, in a work dir it makes, without writing the file', async () => {
  const d = path.join(root, 'made', 'deeper', 'j1');
  const job = jobFileText(['sh', '-c', 'printf "%s" "$Y" > out'], {
    Y: 'é\n',
    PATH,
  });
  expect((await keep(d, job)).code).toBe(0);
  expect(fs.existsSync(path.join(d, 'job'))).toBe(false);
  expect(readStarted(d)?.pid).toBeGreaterThan(0); // the claim is the start record
  expect(read(d, 'out')).toBe('é\n');
  expect(readExit(d)?.exitCode).toBe(0);
});

test('a second run of a finished job does nothing', async () => {
  const d = path.join(root, 'argv');
  const before = read(d, 'exit');
  expect((await keep(d)).code).toBe(0);
  expect(read(d, 'exit')).toBe(before);
});

test('a work dir claimed by another keeper or wrapper is left to it (75)', async () => {
  const d = path.join(root, 'claimed');
  writeWorkDir(d, jobFileText(['touch', 'ran'], { PATH }));
  fs.writeFileSync(path.join(d, 'claim'), '1 1\n');
  expect((await keep(d)).code).toBe(75);
  expect(fs.existsSync(path.join(d, 'ran'))).toBe(false);
  expect(fs.existsSync(path.join(d, 'exit'))).toBe(false);
});

test('no job file: 98 and no records; no work dir: 97', async () => {
  const d = path.join(root, 'empty');
  fs.mkdirSync(d);
  const { code, line } = await keep(d);
  expect(code).toBe(98);
  expect(line.split('\t').slice(1)).toEqual(['-', '-']);
  expect(fs.readdirSync(d)).toEqual([]);
  expect((await keep(path.join(root, 'absent'))).code).toBe(97);
});

test('a program that does not exist is 127, with the reason in stderr.log', async () => {
  const d = path.join(root, 'missing');
  writeWorkDir(d, jobFileText(['no-such-program-here', 'x'], { PATH }));
  expect((await keep(d)).code).toBe(127);
  expect(readExit(d)?.exitCode).toBe(127);
  expect(read(d, 'stderr.log')).toMatch(/cannot run 'no-such-program-here': No such file/);
});

test('a job killed by a signal records 128 + N, as a shell would', async () => {
  const d = path.join(root, 'killed');
  writeWorkDir(d, jobFileText(['sh', '-c', 'kill -9 $$'], { PATH }));
  expect((await keep(d)).code).toBe(137);
  expect(readExit(d)?.exitCode).toBe(137);
  expect(exitCodeError(137)?.code).toBe('oom');
});

test('the exit record carries the CPU time of the job', async () => {
  const d = path.join(root, 'cpu');
  writeWorkDir(
    d,
    jobFileText(
      [
        'perl',
        '-e',
        'for (;;) { for (1 .. 100000) {} last if (times)[0] >= 0.3 } print +(times)[0] + (times)[1]',
      ],
      { PATH }
    )
  );
  expect((await keep(d)).code).toBe(0);
  const own = Number(read(d, 'stdout.log'));
  const cpu = readExit(d)!.cpuSeconds!;
  expect(cpu).toBeGreaterThanOrEqual(own - 0.01);
  expect(cpu).toBeLessThan(own * 1.1 + 0.02);
});

test('the keeper outlives its spawner and still records the exit', async () => {
  const d = path.join(root, 'orphan');
  writeWorkDir(d, jobFileText(['sleep', '0.5'], { PATH }));
  const sp = spawn('perl', [SPAWNER], { stdio: ['pipe', 'pipe', 'inherit'] });
  const started = new Promise<void>(resolve =>
    readline.createInterface({ input: sp.stdout }).on('line', l => l.startsWith('S ') && resolve())
  );
  sp.stdin.write(`o\t${d}\n`);
  await started;
  sp.kill('SIGKILL');
  for (let i = 0; i < 100 && !readExit(d); i++) await new Promise(r => setTimeout(r, 50));
  expect(readExit(d)?.exitCode).toBe(0);
});
