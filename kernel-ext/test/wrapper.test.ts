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

test('under the local spawner the wrapper starts no measuring process of its own', () => {
  const d = path.join(root, 'spawned');
  writeWorkDir(d, jobFileText(['sh', '-c', 'echo "$BULKRUN_SPAWNER"'], {}));
  const r = spawnSync('bash', [WRAPPER_PATH, d], {
    encoding: 'utf8',
    env: { ...process.env, BULKRUN_SPAWNER: '1' },
  });
  expect(r.status).toBe(0);
  expect(fs.existsSync(path.join(d, 'usage'))).toBe(false);
  expect(fs.readFileSync(path.join(d, 'stdout.log'), 'utf8')).toBe('\n'); // not leaked to the job
});
