/** Scripts installed into a backend's state dir (backends/install.ts), on real files. */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { installScript, installWrapper } from '../src/backends/install';
import { WRAPPER_PATH } from '../src/backends/workdir';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bulkrun-install-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const isExecutable = (f: string) => (fs.statSync(f).mode & 0o111) === 0o111;

test('installWrapper puts an executable copy of the shipped wrapper in the state dir', () => {
  const state = path.join(root, 'state-a', 'nested');
  const copy = installWrapper(state);
  expect(copy).toBe(path.join(state, 'wrapper.sh'));
  expect(fs.readFileSync(copy)).toEqual(fs.readFileSync(WRAPPER_PATH));
  expect(isExecutable(copy)).toBe(true);
  expect(fs.readdirSync(state)).toEqual(['wrapper.sh']); // no temp file left behind
});

test('a reader holding the old wrapper open keeps reading the old one after an install', () => {
  const state = path.join(root, 'state-b');
  fs.mkdirSync(state);
  const copy = path.join(state, 'wrapper.sh');
  const old = '#!/bin/bash\n# the old wrapper, which a running job is reading\n'.repeat(50);
  fs.writeFileSync(copy, old, { mode: 0o644 });
  const fd = fs.openSync(copy, 'r');
  try {
    const head = Buffer.alloc(100);
    fs.readSync(fd, head, 0, head.length, 0);
    installWrapper(state);
    // What bash would read next from its open script: the rest of the old file.
    const rest = Buffer.alloc(old.length);
    const n = fs.readSync(fd, rest, 0, rest.length, head.length);
    expect(Buffer.concat([head, rest.subarray(0, n)]).toString('utf8')).toBe(old);
  } finally {
    fs.closeSync(fd);
  }
  expect(fs.readFileSync(copy)).toEqual(fs.readFileSync(WRAPPER_PATH));
  expect(isExecutable(copy)).toBe(true);
});

test('the installed script runs, and an identical one is left in place', () => {
  const file = path.join(root, 'task.sh');
  installScript(file, '#!/bin/bash\necho first\n');
  expect(spawnSync(file, { encoding: 'utf8' }).stdout).toBe('first\n');
  const inode = fs.statSync(file).ino;
  installScript(file, '#!/bin/bash\necho first\n');
  expect(fs.statSync(file).ino).toBe(inode);
  installScript(file, '#!/bin/bash\necho second\n');
  expect(fs.statSync(file).ino).not.toBe(inode);
  expect(spawnSync(file, { encoding: 'utf8' }).stdout).toBe('second\n');
});

test('an identical script that lost its execute bits gets them back', () => {
  const file = path.join(root, 'plain.sh');
  fs.writeFileSync(file, 'exit 0\n', { mode: 0o644 });
  installScript(file, 'exit 0\n');
  expect(isExecutable(file)).toBe(true);
});
