/** The shared job wrapper (backends/wrapper.sh), run with bash on real work dirs. */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readExit, WRAPPER_PATH, writeWorkDir, jobFileText } from '../src/backends/workdir';

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
