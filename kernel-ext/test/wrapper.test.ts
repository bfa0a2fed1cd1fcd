/** The shared job wrapper (backends/wrapper.sh), run with bash on real work dirs. */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  readExit,
  readMaxRss,
  WRAPPER_PATH,
  writeWorkDir,
  jobFileText,
} from '../src/backends/workdir';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bulkrun-wrapper-'));
const run = (dir: string) => spawnSync('bash', [WRAPPER_PATH, dir], { encoding: 'utf8' });

test('runs the argv of the job file with its environment, byte for byte, and records the exit', () => {
  const d = path.join(root, 'a');
  const tricky = `quote ' " $(echo no) ; \\ \n newline`;
  writeWorkDir(
    d,
    jobFileText(
      [
        'node',
        '-e',
        'process.stdout.write(process.argv[1] + "|" + process.env.X); process.exit(3)',
        tricky,
      ],
      {
        X: 'from env',
      }
    )
  );
  const r = run(d);
  expect(r.status).toBe(3);
  expect(fs.readFileSync(path.join(d, 'stdout.log'), 'utf8')).toBe(`${tricky}|from env`);
  expect(readExit(d)?.exitCode).toBe(3);
});

test('a second run of a finished job does nothing', () => {
  const d = path.join(root, 'a');
  const before = fs.readFileSync(path.join(d, 'exit'), 'utf8');
  expect(run(d).status).toBe(0);
  expect(fs.readFileSync(path.join(d, 'exit'), 'utf8')).toBe(before);
});

test('a work dir without its job file fails with 98 and records no exit', () => {
  const d = path.join(root, 'b');
  fs.mkdirSync(d);
  const r = run(d);
  expect(r.status).toBe(98);
  expect(r.stderr).toMatch(/job is missing/);
  expect(fs.existsSync(path.join(d, 'exit'))).toBe(false);
});

test('the exit record carries the CPU time of the job, and `usage` its peak memory', () => {
  const d = path.join(root, 'usage');
  writeWorkDir(
    d,
    jobFileText(
      [
        'perl',
        '-e',
        'my $b = ""; vec($b, 64 * 1024 * 1024 - 1, 8) = 1; for (;;) { for (1 .. 100000) {} last if (times)[0] >= 0.3 } my @t = times; print $t[0] + $t[1]',
      ],
      {}
    )
  );
  expect(run(d).status).toBe(0);
  const exit = readExit(d)!;
  // The job prints its own CPU time; the wrapper's figure adds only perl's start.
  const own = Number(fs.readFileSync(path.join(d, 'stdout.log'), 'utf8'));
  expect(own).toBeGreaterThanOrEqual(0.3);
  expect(exit.cpuSeconds!).toBeGreaterThanOrEqual(own - 0.01);
  expect(exit.cpuSeconds!).toBeLessThan(own * 1.1 + 0.02);
  // GNU time measured the job (Debian's `time`, installed with the test dependencies).
  const rss = readMaxRss(d)! / 2 ** 20;
  expect(rss).toBeGreaterThan(64);
  expect(rss).toBeLessThan(80);
});

test('with BULKRUN_REPORT it reports start and exit with curl, the token on stdin, never in argv', async () => {
  const d = path.join(root, 'report');
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'bulkrun-fake-curl-'));
  const log = path.join(bin, 'calls.log');
  // A curl that records what it was given; the wrapper finds it on the job's PATH.
  fs.writeFileSync(
    path.join(bin, 'curl'),
    `#!/bin/bash\n{ printf 'ARGV'; printf ' [%s]' "$@"; printf '\\nSTDIN %s\\n' "$(cat)"; } >> ${log}\n`,
    { mode: 0o755 }
  );
  writeWorkDir(
    d,
    jobFileText(['true'], {
      PATH: `${bin}:/usr/bin:/bin`,
      BULKRUN_REPORT: '1',
      BULKRUN_URL: 'http://127.0.0.1:9/prefix/',
      BULKRUN_TOKEN: 'job.s3cret',
      BULKRUN_JOB_ID: 'j_1',
    })
  );
  expect(run(d).status).toBe(0);
  // The start report runs in the background: wait for both.
  for (let i = 0; i < 100 && !(fs.readFileSync(log, 'utf8').match(/ARGV/g)?.length === 2); i++)
    await new Promise(r => setTimeout(r, 20));
  const calls = fs.readFileSync(log, 'utf8').trim().split('\n');
  const argvs = calls.filter(l => l.startsWith('ARGV'));
  expect(argvs).toHaveLength(2);
  for (const a of argvs) {
    expect(a).not.toContain('s3cret');
    expect(a).toContain('[http://127.0.0.1:9/prefix/api/v1/jobs/j_1/report]');
  }
  expect(argvs.some(a => a.includes('[{"event":"started"}]'))).toBe(true);
  expect(argvs.some(a => a.includes('[{"event":"exited"}]'))).toBe(true);
  for (const l of calls.filter(c => c.startsWith('STDIN')))
    expect(l).toBe('STDIN header = "Authorization: token job.s3cret"');
});

test('without BULKRUN_REPORT nothing is reported', () => {
  const d = path.join(root, 'no-report');
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'bulkrun-fake-curl-'));
  fs.writeFileSync(path.join(bin, 'curl'), `#!/bin/bash\ntouch ${bin}/called\n`, { mode: 0o755 });
  writeWorkDir(
    d,
    jobFileText(['true'], { PATH: `${bin}:/usr/bin:/bin`, BULKRUN_URL: 'http://127.0.0.1:9' })
  );
  expect(run(d).status).toBe(0);
  expect(fs.existsSync(path.join(bin, 'called'))).toBe(false);
});
