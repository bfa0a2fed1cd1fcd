/**
 * Scripts that jobs run (the wrapper, Slurm's array task, HTCondor's prelude), installed
 * in the backend's state dir. Detached or queued jobs may be running the old copy: bash
 * reads a script as it goes, so rewriting it in place would change what a running job
 * executes. A new copy is written beside it and renamed over it, and a job that opened
 * the old one keeps reading the old one.
 */
import * as fs from 'fs';
import * as path from 'path';
import { WRAPPER_PATH } from './workdir';

/** Writes an executable script atomically; one with the same content is left as it is. */
export function installScript(file: string, content: string | Buffer): void {
  const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  let current: Buffer | null = null;
  try {
    current = fs.readFileSync(file);
  } catch {
    // Not there yet.
  }
  if (current && current.equals(data)) {
    if ((fs.statSync(file).mode & 0o111) === 0) fs.chmodSync(file, 0o755);
    return;
  }
  // Same dir, so the rename stays on one filesystem and is atomic.
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, data);
    fs.chmodSync(tmp, 0o755); // explicit: the umask must not leave it unexecutable
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * A stable copy of the shipped wrapper in `stateDir`, so an upgrade of the package never
 * changes the wrapper of a job that runs or waits. Returns its path.
 */
export function installWrapper(stateDir: string): string {
  fs.mkdirSync(stateDir, { recursive: true });
  const copy = path.join(stateDir, 'wrapper.sh');
  installScript(copy, fs.readFileSync(WRAPPER_PATH));
  return copy;
}
