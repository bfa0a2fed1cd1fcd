/**
 * Local backend: each job runs under a keeper in its own session, forked by a small
 * long-lived spawner (spawner.pl: forking it is far cheaper than forking the Node process,
 * and the keeper does what wrapper.sh does elsewhere without starting bash), so a server
 * restart (or kill -9) leaves running jobs alone. The spawner reports exits at once; after
 * a restart, jobs started by an earlier server are followed through their work-dir records
 * and /proc. Concurrency is the engine's slot limit (default: the CPU count).
 */
import { spawn, type ChildProcess } from 'child_process';
import * as readline from 'readline';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type {
  Backend,
  BackendContext,
  BackendHealth,
  StatusUpdate,
  SubmitOutcome,
  SubmitRequest,
  TrackedJob,
} from './base';
import type { JobUsage } from '../protocol/records';
import { exitRecordUpdate, readExitUpdate } from './exit-record';
import {
  FILES,
  isClaimed,
  parseExit,
  parseStarted,
  readExit,
  readStarted,
  type ExitRecord,
  type StartRecord,
} from './workdir';
import { assetPath } from '../assets';

export interface LocalConfig {
  slots?: number | null;
  pollIntervalMs?: number;
  /** Grace between SIGTERM and SIGKILL on cancel. */
  killGraceMs?: number;
}

/** Exit code of a keeper (or wrapper) that found the work dir claimed by another. */
const CLAIM_LOST = 75;
const SPAWNER_PATH = assetPath('spawner.pl');
/** How long an exit record may wait for the spawner's report before poll() takes it. */
const MISSED_EXIT_GRACE_MS = 2000;

interface Running {
  workDir: string;
  pid: number | null;
  started?: (pid: number | null, error?: string) => void;
}

export class LocalBackend implements Backend {
  readonly name = 'local';
  readonly sharedFilesystem = true;
  readonly pollIntervalMs: number;
  readonly defaultSlots: number | null;
  readonly nativeMaxParallel = false;
  /** The keeper makes the work dir and takes the job file's text from the request (spawner.pl). */
  readonly writesWorkDirs = true;
  private ctx!: BackendContext;
  /** Jobs started by this server's spawner, by job id. */
  private children = new Map<string, Running>();
  private spawner: ChildProcess | null = null;
  private killGraceMs: number;

  constructor(cfg: LocalConfig = {}) {
    this.defaultSlots = cfg.slots === undefined ? os.cpus().length : cfg.slots;
    this.pollIntervalMs = cfg.pollIntervalMs ?? 1000;
    this.killGraceMs = cfg.killGraceMs ?? 5000;
  }

  async init(ctx: BackendContext): Promise<void> {
    this.ctx = ctx;
    this.startSpawner();
  }

  private startSpawner(): ChildProcess {
    const child = spawn('perl', [SPAWNER_PATH], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    child.stdin!.on('error', () => undefined);
    readline.createInterface({ input: child.stdout! }).on('line', line => this.onSpawnerLine(line));
    child.on('exit', code => {
      if (this.spawner !== child) return;
      this.spawner = null;
      this.ctx.log.warn({ code }, 'local spawner exited; running jobs are followed by polling');
      // Jobs waiting for their start confirmation can't be confirmed any more.
      // Unconfirmed starts fail; started jobs are followed by poll() from now on.
      for (const r of this.children.values()) r.started?.(null, 'the local spawner exited');
      this.children.clear();
    });
    this.spawner = child;
    return child;
  }

  private onSpawnerLine(line: string): void {
    const [head, exitText, startedText] = line.split('\t');
    const [kind, id, a, b, cpu, rss] = head.split(' ');
    const r = this.children.get(id);
    if (!r) return;
    if (kind === 'S') {
      r.pid = Number(a);
      r.started?.(r.pid);
      r.started = undefined;
    } else if (kind === 'F') {
      this.children.delete(id);
      r.started?.(null, `could not start the job: ${line.slice(3 + id.length)}`);
    } else if (kind === 'E') {
      const status = Number(b);
      const code = status & 0x7f ? null : status >> 8;
      const signal = status & 0x7f ? `signal ${status & 0x7f}` : null;
      // wait4's figures (µs, KiB), where the spawner could call it.
      const usage =
        rss === undefined
          ? undefined
          : { cpuSeconds: Number(cpu) / 1e6, maxRssBytes: Number(rss) * 1024 };
      const records =
        exitText && exitText !== '-'
          ? {
              exit: parseExit(exitText + '\n'),
              started: startedText && startedText !== '-' ? parseStarted(startedText + '\n') : null,
            }
          : undefined;
      this.onExit(id, r.workDir, code, signal, usage, records);
    }
  }

  async health(): Promise<BackendHealth> {
    return {
      available: true,
      detail: `local processes on ${os.hostname()} (${os.cpus().length} CPUs)`,
    };
  }

  async submit(req: SubmitRequest): Promise<SubmitOutcome[]> {
    const spawner = this.spawner ?? this.startSpawner();
    const started = req.items.map(
      item =>
        new Promise<SubmitOutcome>(resolve => {
          this.children.set(item.jobId, {
            workDir: item.workDir,
            pid: null,
            started: (pid, error) => {
              if (error || pid === null) {
                resolve({ jobId: item.jobId, error: error ?? 'could not start the job' });
                return;
              }
              resolve({
                jobId: item.jobId,
                backendJobId: String(pid),
                startedAt: new Date().toISOString(),
              });
            },
          });
        })
    );
    // Work dirs are ours (ids), never user input; a tab or newline can't occur in them.
    // Each is followed by its job file's bytes (none when the work dir is written already).
    const parts: Buffer[] = [];
    for (const i of req.items) {
      const job = Buffer.from(i.job ?? '');
      parts.push(Buffer.from(`${i.jobId}\t${i.workDir}\t${job.length}\n`), job);
    }
    spawner.stdin!.write(Buffer.concat(parts));
    return Promise.all(started);
  }

  private onExit(
    jobId: string,
    workDir: string,
    code: number | null,
    signal: string | null,
    usage?: Partial<JobUsage>,
    records?: { exit: ExitRecord | null; started: StartRecord | null }
  ): void {
    this.children.delete(jobId);
    if (code === CLAIM_LOST) return; // Another keeper runs this job; polling follows it.
    // The records as the spawner read them; from the work dir where it could not.
    const update = records?.exit
      ? exitRecordUpdate(
          jobId,
          records.exit,
          records.started,
          { usage },
          usage?.maxRssBytes ?? null
        )
      : readExitUpdate(jobId, workDir, { usage });
    if (update) {
      this.ctx.emit([update]);
      return;
    }
    this.ctx.emit([
      {
        jobId,
        status: 'error',
        exitCode: code,
        error: {
          code: 'job_crashed',
          message: signal
            ? `The job was killed by ${signal}`
            : `The job's keeper exited with code ${code} before recording an exit`,
        },
      },
    ]);
  }

  /** Follows jobs that are not our children (started by a previous server process). */
  async poll(active: TrackedJob[]): Promise<StatusUpdate[]> {
    const out: StatusUpdate[] = [];
    for (const j of active) {
      if (this.children.has(j.jobId)) {
        // The spawner reports exits at once. An exit record it has not reported within a
        // grace period is taken as is: a slot must never stay held by a finished job.
        const exit = readExit(j.workDir);
        if (!exit || Date.now() - exit.at.getTime() < MISSED_EXIT_GRACE_MS) continue;
        this.ctx.log.warn(
          { jobId: j.jobId },
          'local spawner did not report an exit; taken from the work dir'
        );
        this.children.delete(j.jobId);
      }
      const done = readExitUpdate(j.jobId, j.workDir);
      if (done) {
        out.push(done);
        continue;
      }
      const started = readStarted(j.workDir);
      const pid = started?.pid ?? Number(j.backendJobId);
      if (pid && alive(pid, j.workDir)) {
        if (j.status !== 'running')
          out.push({ jobId: j.jobId, status: 'running', startedAt: started?.at.toISOString() });
        continue;
      }
      // Re-check: the exit record may have landed between the two reads.
      const late = readExitUpdate(j.jobId, j.workDir);
      if (late) {
        out.push(late);
        continue;
      }
      out.push({
        jobId: j.jobId,
        status: 'error',
        error: {
          code: 'lost',
          message: `Process ${pid || '?'} is gone and left no exit record (last seen ${started ? 'running since ' + started.at.toISOString() : 'before it started'})`,
        },
      });
    }
    return out;
  }

  async cancel(jobs: TrackedJob[]): Promise<void> {
    for (const j of jobs) {
      const child = this.children.get(j.jobId);
      const pid = child?.pid || readStarted(j.workDir)?.pid || Number(j.backendJobId);
      if (!pid) continue;
      killGroup(pid, 'SIGTERM');
      const t = setTimeout(() => killGroup(pid, 'SIGKILL'), this.killGraceMs);
      t.unref();
    }
  }

  async findSubmitted(jobs: TrackedJob[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (const j of jobs) {
      if (isClaimed(j.workDir) || fs.existsSync(path.join(j.workDir, FILES.exit))) {
        const pid = readStarted(j.workDir)?.pid;
        found.set(j.jobId, pid ? String(pid) : '');
      }
    }
    return found;
  }

  async close(): Promise<void> {
    // Jobs keep running: they are detached and followed again after a restart.
    const sp = this.spawner;
    this.spawner = null;
    sp?.stdin?.end();
    this.children.clear();
  }
}

function killGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    // Already gone: not an error.
  }
}

/**
 * True if pid runs and is the keeper of this work dir (pids get reused): a keeper works
 * in its work dir; a wrapper.sh of an earlier version also names it in its command line.
 */
function alive(pid: number, workDir: string): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  let cwd: string;
  try {
    cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return true; // no /proc to tell: the pid is taken as the keeper's
  }
  if (cwd === workDir) return true;
  try {
    if (cwd === fs.realpathSync(workDir)) return true;
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(workDir);
  } catch {
    return false;
  }
}
