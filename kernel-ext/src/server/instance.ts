/**
 * One server per data dir, and the files by which clients find it (docs/SERVER.md).
 *
 * `<data dir>/run/` (mode 0700) holds:
 * - `server.lock`: held by the running server (an exclusive SQLite lock, which the OS
 *   drops when the process dies, kill -9 included), so a second server on the same data
 *   dir refuses to start instead of running every job twice;
 * - `server.json` (0600): pid, URL, version and token of the running server, written
 *   after it listens and removed when it stops;
 * - `token` (0600): the token of servers started with `--token-file` (the Jupyter proxy's),
 *   kept across restarts;
 * - `attached/<pid>`: leases of the `bulkrun attach` processes (one per Jupyter server)
 *   that use the server; an idle server waits while one is alive.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Database } from '../store/sqlite';

export interface ConnectionInfo {
  pid: number;
  url: string;
  dataDir: string;
  version: string;
  startedAt: string;
  token?: string;
}

export function runDir(dataDir: string): string {
  const dir = path.join(dataDir, 'run');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  return dir;
}

export const connectionFile = (dataDir: string) => path.join(dataDir, 'run', 'server.json');

export function readConnection(dataDir: string): ConnectionInfo | null {
  try {
    return JSON.parse(fs.readFileSync(connectionFile(dataDir), 'utf8')) as ConnectionInfo;
  } catch {
    return null;
  }
}

/** Writes a file readable by its owner only, atomically (no reader sees half of it). */
function writePrivate(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

export function writeConnection(dataDir: string, info: ConnectionInfo): void {
  writePrivate(connectionFile(dataDir), JSON.stringify(info, null, 2) + '\n');
}

export function removeConnection(dataDir: string, pid = process.pid): void {
  if (readConnection(dataDir)?.pid === pid) fs.rmSync(connectionFile(dataDir), { force: true });
}

/** The token in `file`, made (32 random bytes, mode 0600) if the file does not exist yet. */
export function tokenFromFile(file: string): string {
  try {
    const token = fs.readFileSync(file, 'utf8').trim();
    if (token) return token;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, crypto.randomBytes(32).toString('base64url') + '\n', { mode: 0o600 });
  try {
    fs.linkSync(tmp, file); // fails if another process made it first: theirs wins
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return fs.readFileSync(file, 'utf8').trim();
}

export class DataDirLocked extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: ConnectionInfo | null
  ) {
    super(
      `Another Bulkrun server is running on the data dir ${dataDir}` +
        (holder ? ` (pid ${holder.pid}, ${holder.url})` : '') +
        ': use that one, or stop it first'
    );
  }
}

/** Holds the data dir's lock until release() or the process's end. */
export class InstanceLock {
  // Invariant: a lock not yet released is reachable from here. node:sqlite closes a
  // connection its JavaScript object no longer references when it is garbage collected,
  // which would free the lock under a running server.
  private static held = new Set<InstanceLock>();

  private constructor(private db: Database | null) {
    InstanceLock.held.add(this);
  }

  static acquire(dataDir: string): InstanceLock {
    const db = new Database(path.join(runDir(dataDir), 'server.lock'));
    try {
      // EXCLUSIVE locking mode keeps the lock after the first write transaction begins,
      // until the connection closes; no busy timeout, so a held lock fails at once.
      db.exec('PRAGMA locking_mode = EXCLUSIVE');
      db.exec('BEGIN EXCLUSIVE');
    } catch (err) {
      db.close();
      if (/locked|busy/i.test((err as Error).message))
        throw new DataDirLocked(dataDir, readConnection(dataDir));
      throw err;
    }
    return new InstanceLock(db);
  }

  release(): void {
    this.db?.close();
    this.db = null;
    InstanceLock.held.delete(this);
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const leaseDir = (dataDir: string) => path.join(dataDir, 'run', 'attached');

/** Records that process `pid` uses the server (removed by dropLease or found dead). */
export function takeLease(dataDir: string, pid = process.pid): void {
  runDir(dataDir);
  fs.mkdirSync(leaseDir(dataDir), { recursive: true, mode: 0o700 });
  fs.writeFileSync(path.join(leaseDir(dataDir), String(pid)), new Date().toISOString() + '\n');
}

export function dropLease(dataDir: string, pid = process.pid): void {
  fs.rmSync(path.join(leaseDir(dataDir), String(pid)), { force: true });
}

/** The pids of live leases; leases of dead processes are removed on the way. */
export function liveLeases(dataDir: string): number[] {
  let names: string[];
  try {
    names = fs.readdirSync(leaseDir(dataDir));
  } catch {
    return [];
  }
  const live: number[] = [];
  for (const name of names) {
    const pid = Number(name);
    if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) live.push(pid);
    else fs.rmSync(path.join(leaseDir(dataDir), name), { force: true });
  }
  return live;
}
