/**
 * A job's work dir: the files the wrapper reads (argv, env) and the records it writes
 * (claim, started, exit, stdout.log, stderr.log, output.json). Shared by all backends.
 */
import * as fs from 'fs';
import * as path from 'path';
import { assetPath } from '../assets';

export const FILES = {
  /** The environment and argv to run: `<n>\0`, n `KEY=value\0` entries, then argv (`arg\0`…). */
  job: 'job',
  claim: 'claim',
  started: 'started',
  exit: 'exit',
  stdout: 'stdout.log',
  stderr: 'stderr.log',
  output: 'output.json',
  /** GNU time's peak memory of the job (KiB), where the wrapper measured it. */
  usage: 'usage',
  faninInputs: 'fanin-inputs.json',
} as const;

/** Path of the wrapper shipped next to this module (copied into dist/ by the build). */
export const WRAPPER_PATH = assetPath('wrapper.sh');

export function prepareWorkDir(workDir: string, argv: string[], env: Record<string, string>): void {
  writeWorkDir(workDir, jobFileText(argv, env));
}

/** Creates the work dir with its job file: one mkdir and one write. */
export function writeWorkDir(workDir: string, job: string): void {
  fs.mkdirSync(workDir, { recursive: true });
  fs.writeFileSync(path.join(workDir, FILES.job), job);
}

export function jobFileText(argv: string[], env: Record<string, string>): string {
  const entries = Object.entries(env);
  for (const x of [...argv, ...entries.flat()]) {
    if (x.includes('\0')) throw new Error('argument or environment value contains a NUL byte');
  }
  for (const [k] of entries) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`invalid environment name '${k}'`);
  }
  return (
    `${entries.length}\0` +
    entries.map(([k, v]) => `${k}=${v}\0`).join('') +
    argv.map(a => a + '\0').join('')
  );
}

/** Replaces the argv of a prepared work dir, keeping its environment. */
export function rewriteArgv(workDir: string, argv: string[]): void {
  const file = path.join(workDir, FILES.job);
  const parts = fs.readFileSync(file, 'utf8').split('\0');
  const n = Number(parts[0]);
  const env: Record<string, string> = {};
  for (const kv of parts.slice(1, 1 + n)) {
    const i = kv.indexOf('=');
    env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  fs.writeFileSync(file, jobFileText(argv, env));
}

export interface StartRecord {
  pid: number;
  at: Date;
}
export interface ExitRecord {
  exitCode: number;
  at: Date;
  /** CPU time of the job's processes (the wrapper's children), when /proc gave it. */
  cpuSeconds?: number | null;
}

function readLine(file: string): string[] | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  return fieldsOf(text);
}

/** A record's fields; null for one not yet fully written (no newline yet). */
function fieldsOf(text: string): string[] | null {
  if (!text.endsWith('\n')) return null;
  return text.trim().split(/\s+/);
}

/** `${EPOCHREALTIME/./}` is microseconds since the epoch. */
function fromMicros(s: string): Date {
  return new Date(Math.floor(Number(s) / 1000));
}

/** The start record; a local keeper's claim is its start record (spawner.pl). */
export function readStarted(workDir: string): StartRecord | null {
  return (
    startedOf(readLine(path.join(workDir, FILES.started))) ??
    startedOf(readLine(path.join(workDir, FILES.claim)))
  );
}

/** The start and exit records from their text, as the local spawner passes them on. */
export const parseStarted = (text: string) => startedOf(fieldsOf(text));
export const parseExit = (text: string) => exitOf(fieldsOf(text));

function startedOf(parts: string[] | null): StartRecord | null {
  if (!parts || parts.length < 2) return null;
  return { pid: Number(parts[0]), at: fromMicros(parts[1]) };
}

export function readExit(workDir: string): ExitRecord | null {
  return exitOf(readLine(path.join(workDir, FILES.exit)));
}

function exitOf(parts: string[] | null): ExitRecord | null {
  if (!parts || parts.length < 2) return null;
  // The third field is clock ticks of 1/100 s (USER_HZ, fixed for /proc on Linux).
  const ticks = parts.length > 2 && /^[0-9]+$/.test(parts[2]) ? Number(parts[2]) : null;
  return {
    exitCode: Number(parts[0]),
    at: fromMicros(parts[1]),
    cpuSeconds: ticks === null ? null : ticks / 100,
  };
}

/** The job's peak memory in bytes from the wrapper's `usage` file, if it wrote one. */
export function readMaxRss(workDir: string): number | null {
  const parts = readLine(path.join(workDir, FILES.usage));
  const kib = parts ? Number(parts[parts.length - 1]) : NaN;
  return Number.isFinite(kib) && kib > 0 ? kib * 1024 : null;
}

export function isClaimed(workDir: string): boolean {
  return fs.existsSync(path.join(workDir, FILES.claim));
}
