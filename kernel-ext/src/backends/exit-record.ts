/**
 * The wrapper's exit record (wrapper.sh, read by workdir.ts) as a job update: one reading
 * for every backend, so an exit code means the same thing wherever the job ran.
 */
import type { JobError, JobUsage } from '../protocol/records';
import type { JobReport, StatusUpdate, TrackedJob } from './base';
import { readExit, readMaxRss, readStarted, type ExitRecord, type StartRecord } from './workdir';

/**
 * The job's error for its exit code (null for 0). A shell reports death by signal N as
 * 128 + N; only the standard signals (below 32) are read so, as a code like 200 or 255
 * is the job's own. A SIGKILL that nothing else explains is the kernel's OOM killer.
 */
export function exitCodeError(code: number): JobError | null {
  if (code === 0) return null;
  const sig = code > 128 && code < 160 ? code - 128 : 0;
  if (sig === 9)
    return { code: 'oom', message: 'The job was killed (SIGKILL), most likely out of memory' };
  if (sig) return { code: 'job_crashed', message: `The job was killed by signal ${sig}` };
  return { code: 'job_crashed', message: `The job exited with code ${code}` };
}

/** What a scheduler knows beyond the records. */
export interface SchedulerView {
  /**
   * The scheduler's own cause of a failed job (a time-limit kill, a node failure): it wins
   * over the exit code's, which only sees the signal the job got.
   */
  error?: JobError | null;
  /** When the job started, if the wrapper left no start record. */
  startedAt?: Date | null;
  /** What the backend measured itself (the local spawner's wait4); wins per field. */
  usage?: Partial<JobUsage>;
}

/** The wrapper's measures: wall time from its records, CPU from its exit line, memory from `usage`. */
export function wrapperUsage(
  exit: ExitRecord,
  started: StartRecord | null,
  maxRssBytes: number | null
): JobUsage {
  const wall = started ? (exit.at.getTime() - started.at.getTime()) / 1000 : null;
  return {
    wallSeconds: wall !== null && wall >= 0 ? wall : null,
    cpuSeconds: exit.cpuSeconds ?? null,
    maxRssBytes,
    source: 'wrapper',
  };
}

/** Terminal update from the wrapper's records. */
export function exitRecordUpdate(
  jobId: string,
  exit: ExitRecord,
  started: StartRecord | null,
  scheduler: SchedulerView = {},
  maxRssBytes: number | null = null
): StatusUpdate {
  const own = exitCodeError(exit.exitCode);
  const usage: Partial<JobUsage> = wrapperUsage(exit, started, maxRssBytes);
  for (const [k, v] of Object.entries(scheduler.usage ?? {}))
    if (v !== null && v !== undefined) (usage as Record<string, unknown>)[k] = v;
  return {
    jobId,
    status: own ? 'error' : 'completed',
    exitCode: exit.exitCode,
    error: own && (scheduler.error ?? own),
    startedAt: (started?.at ?? scheduler.startedAt)?.toISOString(),
    finishedAt: exit.at.toISOString(),
    usage,
  };
}

/** The terminal update of a work dir whose job recorded its exit; null while it has not. */
export function readExitUpdate(
  jobId: string,
  workDir: string,
  scheduler: SchedulerView = {}
): StatusUpdate | null {
  const exit = readExit(workDir);
  if (!exit) return null;
  // The local spawner's wait4 already gave the peak: no `usage` file to look for.
  const rss = scheduler.usage?.maxRssBytes ?? readMaxRss(workDir);
  return exitRecordUpdate(jobId, exit, readStarted(workDir), scheduler, rss);
}

/**
 * What a job's own report (wrapper.sh, engine/reports.ts) shows in its work dir: `running`
 * once its start record is there, its terminal update once its exit record is. An exit by
 * a signal (128 + N) is left to the poll: the scheduler knows why (a time limit, memory, a
 * node) and its cause wins over the signal's (SchedulerView.error).
 */
export function reportedUpdate(job: TrackedJob, event: JobReport): StatusUpdate | null {
  if (event === 'started') {
    if (job.status !== 'queued') return null;
    const started = readStarted(job.workDir);
    return started
      ? { jobId: job.jobId, status: 'running', startedAt: started.at.toISOString() }
      : null;
  }
  const exit = readExit(job.workDir);
  if (!exit || (exit.exitCode > 128 && exit.exitCode < 160)) return null;
  return exitRecordUpdate(job.jobId, exit, readStarted(job.workDir), {}, readMaxRss(job.workDir));
}
