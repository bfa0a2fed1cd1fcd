/**
 * A job's work dir: the files the wrapper reads (argv, env) and the records it writes
 * (claim, started, exit, stdout.log, stderr.log, output.json). Shared by all backends.
 */
import * as fs from 'fs';
import * as path from 'path';

export const FILES = {
  argv: 'argv',
  env: 'env',
  claim: 'claim',
  started: 'started',
  exit: 'exit',
  stdout: 'stdout.log',
  stderr: 'stderr.log',
  output: 'output.json',
  faninInputs: 'fanin-inputs.json',
} as const;

/** Path of the wrapper shipped next to this module (copied into dist/ by the build). */
export const WRAPPER_PATH = path.join(__dirname, 'wrapper.sh');

export function prepareWorkDir(workDir: string, argv: string[], env: Record<string, string>): void {
  fs.mkdirSync(workDir, { recursive: true });
  for (const a of argv) {
    if (a.includes('\0')) throw new Error('argument contains a NUL byte');
  }
  fs.writeFileSync(path.join(workDir, FILES.argv), argv.map(a => a + '\0').join(''));
  const envText = Object.entries(env)
    .map(([k, v]) => `${k}=${v}\0`)
    .join('');
  fs.writeFileSync(path.join(workDir, FILES.env), envText);
}

export interface StartRecord {
  pid: number;
  at: Date;
}
export interface ExitRecord {
  exitCode: number;
  at: Date;
}

function readLine(file: string): string[] | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  // Not yet fully written.
  if (!text.endsWith('\n')) return null;
  return text.trim().split(/\s+/);
}

/** `${EPOCHREALTIME/./}` is microseconds since the epoch. */
function fromMicros(s: string): Date {
  return new Date(Math.floor(Number(s) / 1000));
}

export function readStarted(workDir: string): StartRecord | null {
  const parts = readLine(path.join(workDir, FILES.started));
  if (!parts || parts.length < 2) return null;
  return { pid: Number(parts[0]), at: fromMicros(parts[1]) };
}

export function readExit(workDir: string): ExitRecord | null {
  const parts = readLine(path.join(workDir, FILES.exit));
  if (!parts || parts.length < 2) return null;
  return { exitCode: Number(parts[0]), at: fromMicros(parts[1]) };
}

export function isClaimed(workDir: string): boolean {
  return fs.existsSync(path.join(workDir, FILES.claim));
}
