/**
 * One server per data dir (src/server/instance.ts) and idle exit (src/server/idle.ts):
 * the lock across processes, the private files, leases of live and dead processes.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { watchIdle } from '../src/server/idle';
import {
  DataDirLocked,
  InstanceLock,
  dropLease,
  liveLeases,
  readConnection,
  removeConnection,
  takeLease,
  tokenFromFile,
  writeConnection,
} from '../src/server/instance';

let dataDir: string;
beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulkrun-instance-'));
});
afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

const mode = (p: string) => fs.statSync(p).mode & 0o777;

const INSTANCE_JS = JSON.stringify(path.join(__dirname, '..', 'dist', 'server', 'instance.js'));
/** Tries the lock of the data dir argv[1]: exits 0 if it got it, 3 if refused. */
const PROBE = `
  const { InstanceLock } = require(${INSTANCE_JS});
  try { InstanceLock.acquire(process.argv[1]); process.exit(0); }
  catch (e) { process.exit(e.constructor.name === 'DataDirLocked' ? 3 : 1); }`;

/** Tries the lock from another process: its exit code is 0 if it got it, 3 if refused. */
function lockFromChild(): number | null {
  return spawnSync(process.execPath, ['-e', PROBE, dataDir]).status;
}

test('the lock admits one holder at a time, across processes, until released', () => {
  const lock = InstanceLock.acquire(dataDir);
  expect(() => InstanceLock.acquire(dataDir)).toThrow(DataDirLocked);
  expect(lockFromChild()).toBe(3);
  lock.release();
  expect(lockFromChild()).toBe(0);
  InstanceLock.acquire(dataDir).release();
  expect(mode(path.join(dataDir, 'run'))).toBe(0o700);
});

test('the lock of a killed holder is free again (kill -9)', async () => {
  const holder = spawn(process.execPath, [
    '-e',
    `require(${INSTANCE_JS}).InstanceLock.acquire(process.argv[1]); console.log('held'); setInterval(() => {}, 1000);`,
    dataDir,
  ]);
  const exited = new Promise(resolve => holder.once('exit', resolve));
  try {
    await new Promise<void>(resolve => holder.stdout.once('data', () => resolve()));
    expect(() => InstanceLock.acquire(dataDir)).toThrow(/Another Bulkrun server is running/);
  } finally {
    holder.kill('SIGKILL');
    await exited;
  }
  InstanceLock.acquire(dataDir).release();
});

test('a held lock outlives garbage collection of every reference to it', () => {
  // The holder keeps no reference to its lock and collects garbage; then another process tries.
  const script = `
    require(${INSTANCE_JS}).InstanceLock.acquire(process.argv[1]);
    global.gc();
    const { spawnSync } = require('child_process');
    process.exit(spawnSync(process.execPath, ['-e', process.argv[2], process.argv[1]]).status);`;
  const run = spawnSync(process.execPath, ['--expose-gc', '-e', script, dataDir, PROBE]);
  expect(run.status).toBe(3);
});

test('the refusal names the running server from its connection file', () => {
  const lock = InstanceLock.acquire(dataDir);
  writeConnection(dataDir, {
    pid: process.pid,
    url: 'unix:/x.sock',
    dataDir,
    version: '0',
    startedAt: '',
  });
  expect(mode(path.join(dataDir, 'run', 'server.json'))).toBe(0o600);
  expect(() => InstanceLock.acquire(dataDir)).toThrow(`pid ${process.pid}, unix:/x.sock`);
  removeConnection(dataDir);
  expect(readConnection(dataDir)).toBeNull();
  lock.release();
});

test('a token file is made once, private, and kept', () => {
  const file = path.join(dataDir, 'run', 'token');
  const token = tokenFromFile(file);
  expect(token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
  expect(mode(file)).toBe(0o600);
  expect(tokenFromFile(file)).toBe(token);
});

test('leases of live processes count; leases of dead ones are removed', () => {
  takeLease(dataDir);
  const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)']).stdout.toString();
  takeLease(dataDir, Number(dead));
  expect(liveLeases(dataDir)).toEqual([process.pid]);
  expect(fs.readdirSync(path.join(dataDir, 'run', 'attached'))).toEqual([String(process.pid)]);
  dropLease(dataDir);
  expect(liveLeases(dataDir)).toEqual([]);
});

test('idle exit waits while anything is busy, then fires once after the limit', async () => {
  let busy = true;
  let fired = 0;
  const started = Date.now();
  const w = watchIdle(
    300,
    {
      hasUnfinishedWork: () => busy,
      attached: () => 0,
      clients: () => 0,
      lastRequestAt: () => started,
    },
    () => fired++
  );
  await new Promise(r => setTimeout(r, 600));
  expect(fired).toBe(0);
  busy = false;
  const freed = Date.now();
  while (!fired && Date.now() - freed < 3000) await new Promise(r => setTimeout(r, 20));
  expect(fired).toBe(1);
  expect(Date.now() - freed).toBeGreaterThanOrEqual(290);
  await new Promise(r => setTimeout(r, 400));
  expect(fired).toBe(1);
  w.stop();
});
