/**
 * One task on a worker: its own work dir under the work root, the job file rewritten from
 * the server's paths to this machine's, `bash wrapper.sh DIR` as on every backend (argv
 * only, never a shell), live log previews, and at the end the wrapper's records, the logs
 * and `$BULKRUN_OUTPUT`, capped, as one exit event (rabbitmq-protocol.ts).
 */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { assetPath } from '../assets';
import type { ExitEvent, TaskMessage } from '../backends/rabbitmq-protocol';
import { FILES, jobFileText } from '../backends/workdir';

const BIN_DIR = assetPath('bin');

export interface TaskLimits {
  /** Bytes of each log sent back (the rest is cut, and the log says so). */
  logMaxBytes: number;
  /** Bytes of `$BULKRUN_OUTPUT` sent back; a larger output fails the row as `invalid_output`. */
  outputMaxBytes: number;
}

/** The job file with the server's work dir replaced by `localDir`, and this machine's PATH and Node. */
export function localJobText(
  msg: TaskMessage,
  localDir: string,
  extraEnv: Record<string, string>
): string {
  const parts = msg.job.split('\0');
  const n = Number(parts[0]);
  if (!Number.isInteger(n) || n < 0 || parts.length < n + 2) throw new Error('malformed job file');
  const swap = (v: string) => v.split(msg.workDir).join(localDir);
  const env: Record<string, string> = {};
  for (const kv of parts.slice(1, 1 + n)) {
    const i = kv.indexOf('=');
    env[kv.slice(0, i)] = swap(kv.slice(i + 1));
  }
  // The trailing NUL leaves one empty string after the last argument.
  const argv = parts.slice(1 + n, parts.length - 1).map(swap);
  if (argv.length === 0) throw new Error('the job file has no command');
  env.PATH = `${BIN_DIR}:${process.env.PATH ?? '/usr/bin:/bin'}:${path.dirname(process.execPath)}`;
  env.BULKRUN_NODE = process.execPath;
  Object.assign(env, extraEnv);
  return jobFileText(argv, env);
}

export interface TaskHandlers {
  started(record: string): void;
  log(stream: 'stdout' | 'stderr', offset: number, data: Buffer): void;
}

export class TaskRun {
  readonly dir: string;
  private child: ChildProcess | null = null;
  private sent = { stdout: 0, stderr: 0 };
  private startedSent = false;
  private timer: NodeJS.Timeout | null = null;
  private killTimer: NodeJS.Timeout | null = null;
  /** Resolves with the exit event once the wrapper ended (or could not start). */
  readonly done: Promise<Omit<ExitEvent, 'worker'>>;
  private finish!: (e: Omit<ExitEvent, 'worker'>) => void;

  constructor(
    readonly msg: TaskMessage,
    workRoot: string,
    private readonly wrapper: string,
    private readonly limits: TaskLimits,
    private readonly on: TaskHandlers,
    extraEnv: Record<string, string>,
    logEveryMs = 1000
  ) {
    this.dir = path.join(workRoot, msg.jobId);
    this.done = new Promise(r => (this.finish = r));
    try {
      // A dir left by an earlier worker on this machine is stale: the server gave us the run.
      fs.rmSync(this.dir, { recursive: true, force: true });
      fs.mkdirSync(this.dir, { recursive: true });
      fs.writeFileSync(path.join(this.dir, FILES.job), localJobText(msg, this.dir, extraEnv));
      for (const [name, text] of Object.entries(msg.files ?? {})) {
        if (path.basename(name) !== name || name.startsWith('.')) continue;
        fs.writeFileSync(path.join(this.dir, name), String(text));
      }
    } catch (e) {
      this.finish(this.failed(`could not prepare ${this.dir}: ${(e as Error).message}`));
      return;
    }
    const env = { ...process.env };
    // The broker's credentials are the worker's, not the job's.
    delete env.BULKRUN_AMQP_URL;
    const child = spawn('bash', [this.wrapper, this.dir], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env,
      detached: true, // its own process group: a cancel stops the job's children too
    });
    this.child = child;
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    child.on('error', e => this.finish(this.failed(`could not start bash: ${e.message}`)));
    child.on('close', () => {
      this.stopTimers();
      this.tick();
      this.finish(this.collect(stderr));
    });
    this.timer = setInterval(() => this.tick(), logEveryMs);
    this.timer.unref?.();
    setTimeout(() => this.tick(), 50).unref?.();
  }

  get jobId(): string {
    return this.msg.jobId;
  }

  /** SIGTERM to the job's process group, SIGKILL after `graceMs`. */
  kill(graceMs = 5000): void {
    const pid = this.child?.pid;
    if (!pid || this.child?.exitCode !== null) return;
    const signal = (s: NodeJS.Signals) => {
      try {
        process.kill(-pid, s);
      } catch {
        // Already gone.
      }
    };
    signal('SIGTERM');
    this.killTimer = setTimeout(() => signal('SIGKILL'), graceMs);
    this.killTimer.unref?.();
  }

  private stopTimers(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.killTimer) clearTimeout(this.killTimer);
  }

  /** Sends what is new: the start record once, and log bytes beyond what was sent. */
  private tick(): void {
    if (!this.startedSent) {
      const rec = readRecord(path.join(this.dir, FILES.started));
      if (rec) {
        this.startedSent = true;
        this.on.started(rec);
      }
    }
    for (const s of ['stdout', 'stderr'] as const) {
      const file = path.join(this.dir, s === 'stdout' ? FILES.stdout : FILES.stderr);
      const from = this.sent[s];
      if (from >= this.limits.logMaxBytes) continue;
      const chunk = readRange(file, from, Math.min(1024 * 1024, this.limits.logMaxBytes - from));
      if (chunk.length === 0) continue;
      this.sent[s] = from + chunk.length;
      this.on.log(s, from, chunk);
    }
  }

  private failed(why: string): Omit<ExitEvent, 'worker'> {
    return {
      type: 'exit',
      jobId: this.msg.jobId,
      records: { started: null, exit: null, usage: null },
      logs: { stdout: { data: '', truncated: false }, stderr: { data: '', truncated: false } },
      output: null,
      outputBytes: 0,
      failure: why,
    };
  }

  private collect(wrapperStderr: string): Omit<ExitEvent, 'worker'> {
    const d = this.dir;
    const exit = readRecord(path.join(d, FILES.exit));
    const logs = {} as ExitEvent['logs'];
    for (const s of ['stdout', 'stderr'] as const) {
      const file = path.join(d, s === 'stdout' ? FILES.stdout : FILES.stderr);
      const size = fileSize(file);
      logs[s] = {
        data: readRange(file, 0, this.limits.logMaxBytes).toString('base64'),
        truncated: size > this.limits.logMaxBytes,
      };
    }
    const outFile = path.join(d, FILES.output);
    const outputBytes = fileSize(outFile);
    const output = fs.existsSync(outFile)
      ? readRange(outFile, 0, this.limits.outputMaxBytes).toString('base64')
      : null;
    return {
      type: 'exit',
      jobId: this.msg.jobId,
      records: {
        started: readRecord(path.join(d, FILES.started)),
        exit,
        usage: readRecord(path.join(d, FILES.usage)),
      },
      logs,
      output,
      outputBytes,
      failure: exit
        ? undefined
        : `the wrapper ended without an exit record${wrapperStderr ? `: ${wrapperStderr.trim()}` : ''}`,
    };
  }
}

function readRecord(file: string): string | null {
  try {
    const t = fs.readFileSync(file, 'utf8');
    return t.endsWith('\n') ? t : null;
  } catch {
    return null;
  }
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

function readRange(file: string, from: number, max: number): Buffer {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return Buffer.alloc(0);
  }
  try {
    const buf = Buffer.alloc(Math.max(0, max));
    const n = fs.readSync(fd, buf, 0, buf.length, from);
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}
