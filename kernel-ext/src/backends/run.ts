/**
 * Every scheduler command goes through `runCommand`: argv only (no shell), bounded
 * time, and an error that carries the command, exit code, stdout and stderr.
 */
import { execFile } from 'child_process';

export class CommandError extends Error {
  constructor(
    readonly argv: string[],
    readonly exitCode: number | null,
    readonly stdout: string,
    readonly stderr: string,
    readonly cause?: Error
  ) {
    super(
      `Command ${JSON.stringify(argv.join(' '))} failed` +
        (exitCode !== null ? ` with exit code ${exitCode}` : '') +
        (cause && exitCode === null ? `: ${cause.message}` : '') +
        (stderr.trim() ? `: ${stderr.trim().slice(0, 2000)}` : '')
    );
    this.name = 'CommandError';
  }
}

/**
 * True when the command itself does not exist (not installed, or not on PATH): the
 * scheduler is not available on this machine, rather than failing this one call.
 */
export function isCommandNotFound(e: unknown): boolean {
  return (
    e instanceof CommandError &&
    e.exitCode === null &&
    (e.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT'
  );
}

export interface RunOptions {
  input?: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  maxBuffer?: number;
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

export function runCommand(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
  const [cmd, ...args] = argv;
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args,
      {
        timeout: opts.timeoutMs ?? 60_000,
        env: opts.env ?? process.env,
        cwd: opts.cwd,
        maxBuffer: opts.maxBuffer ?? 256 * 1024 * 1024,
        encoding: 'utf8',
      },
      (err, stdout, stderr) => {
        if (err) {
          const code = typeof (err as any).code === 'number' ? (err as any).code : null;
          reject(new CommandError(argv, code, stdout ?? '', stderr ?? '', err));
        } else {
          resolve({ stdout, stderr });
        }
      }
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}
