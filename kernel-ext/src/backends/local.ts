/**
 * Local backend: each job runs as `bash wrapper.sh WORKDIR` in its own process group,
 * detached from the server, so a server restart (or kill -9) leaves running jobs alone.
 * Exits of our own children are pushed at once; after a restart, jobs started by an
 * earlier server are followed through their work-dir records and /proc.
 * Concurrency is the engine's slot limit (default: the CPU count).
 */
import { spawn, type ChildProcess } from 'child_process';
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
import { FILES, isClaimed, readExit, readStarted, WRAPPER_PATH } from './workdir';

export interface LocalConfig {
  slots?: number | null;
  pollIntervalMs?: number;
  /** Grace between SIGTERM and SIGKILL on cancel. */
  killGraceMs?: number;
}

/** Exit code the wrapper uses when another wrapper already claimed the work dir. */
const CLAIM_LOST = 75;

export class LocalBackend implements Backend {
  readonly name = 'local';
  readonly pollIntervalMs: number;
  readonly defaultSlots: number | null;
  readonly nativeMaxParallel = false;
  private ctx!: BackendContext;
  private children = new Map<string, ChildProcess>();
  private wrapper = WRAPPER_PATH;
  private killGraceMs: number;

  constructor(cfg: LocalConfig = {}) {
    this.defaultSlots = cfg.slots === undefined ? os.cpus().length : cfg.slots;
    this.pollIntervalMs = cfg.pollIntervalMs ?? 1000;
    this.killGraceMs = cfg.killGraceMs ?? 5000;
  }

  async init(ctx: BackendContext): Promise<void> {
    this.ctx = ctx;
    // A stable copy, so an upgrade of the package never changes a running job's wrapper.
    fs.mkdirSync(ctx.stateDir, { recursive: true });
    const copy = path.join(ctx.stateDir, 'wrapper.sh');
    fs.copyFileSync(WRAPPER_PATH, copy);
    this.wrapper = copy;
  }

  async health(): Promise<BackendHealth> {
    return { available: true, detail: `local processes on ${os.hostname()} (${os.cpus().length} CPUs)` };
  }

  async submit(req: SubmitRequest): Promise<SubmitOutcome[]> {
    return req.items.map(item => {
      try {
        const child = spawn('bash', [this.wrapper, item.workDir], {
          detached: true,
          stdio: 'ignore',
          cwd: item.workDir,
        });
        const pid = child.pid;
        if (pid === undefined) throw new Error('spawn failed');
        this.children.set(item.jobId, child);
        child.on('exit', (code, signal) => this.onExit(item.jobId, item.workDir, code, signal));
        child.on('error', err => {
          this.children.delete(item.jobId);
          this.ctx.emit([{ jobId: item.jobId, status: 'error', error: { code: 'submit_failed', message: err.message } }]);
        });
        child.unref();
        this.ctx.emit([{ jobId: item.jobId, status: 'running', backendJobId: String(pid) }]);
        return { jobId: item.jobId, backendJobId: String(pid) };
      } catch (e) {
        return { jobId: item.jobId, error: `Could not start the job: ${(e as Error).message}` };
      }
    });
  }

  private onExit(jobId: string, workDir: string, code: number | null, signal: NodeJS.Signals | null): void {
    this.children.delete(jobId);
    if (code === CLAIM_LOST) return; // Another wrapper runs this job; polling follows it.
    const update = this.fromRecords(jobId, workDir);
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
          message: signal ? `The job was killed by ${signal}` : `The job wrapper exited with code ${code} before recording an exit`,
        },
      },
    ]);
  }

  /** Terminal update from the wrapper's exit record, if it wrote one. */
  private fromRecords(jobId: string, workDir: string): StatusUpdate | null {
    const exit = readExit(workDir);
    if (!exit) return null;
    const started = readStarted(workDir);
    const base = {
      jobId,
      exitCode: exit.exitCode,
      finishedAt: exit.at.toISOString(),
      startedAt: started?.at.toISOString(),
    };
    if (exit.exitCode === 0) return { ...base, status: 'completed' };
    const sig = exit.exitCode > 128 ? exit.exitCode - 128 : 0;
    return {
      ...base,
      status: 'error',
      error: {
        code: sig === 9 ? 'oom' : 'job_crashed',
        message:
          sig === 9
            ? 'The job was killed (SIGKILL), most likely out of memory'
            : sig
              ? `The job was killed by signal ${sig}`
              : `The job exited with code ${exit.exitCode}`,
      },
    };
  }

  /** Follows jobs that are not our children (started by a previous server process). */
  async poll(active: TrackedJob[]): Promise<StatusUpdate[]> {
    const out: StatusUpdate[] = [];
    for (const j of active) {
      if (this.children.has(j.jobId)) continue;
      const done = this.fromRecords(j.jobId, j.workDir);
      if (done) {
        out.push(done);
        continue;
      }
      const started = readStarted(j.workDir);
      const pid = started?.pid ?? Number(j.backendJobId);
      if (pid && alive(pid, j.workDir)) {
        if (j.status !== 'running') out.push({ jobId: j.jobId, status: 'running', startedAt: started?.at.toISOString() });
        continue;
      }
      // Re-check: the exit record may have landed between the two reads.
      const late = this.fromRecords(j.jobId, j.workDir);
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
      const pid = child?.pid ?? readStarted(j.workDir)?.pid ?? Number(j.backendJobId);
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

/** True if pid runs and is the wrapper of this work dir (pids get reused). */
function alive(pid: number, workDir: string): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmd.includes(workDir);
  } catch {
    return true;
  }
}
