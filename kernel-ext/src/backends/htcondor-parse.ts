/**
 * Parsers for HTCondor's outputs and the JobStatus → Bulkrun status mapping. Pure functions,
 * tested on fixtures that reproduce the documented formats:
 * - `condor_submit -terse`: one `C.F - C.L` line per cluster (submit.cpp);
 * - `condor_q -json`: a JSON array, or nothing at all when no job matches;
 * - `condor_history -json`: always the brackets, so `[` and `]` on two lines when empty;
 * - values that are not literals arrive as `"\/Expr(<expr>)\/"`, undefined as `null`.
 */
import type { JobError, JobUsage } from '../protocol/records';
import type { StatusUpdate, TrackedJob } from './base';
import { exitCodeError, exitRecordUpdate } from './exit-record';
import type { ExitRecord, StartRecord } from './workdir';

export interface ProcRange {
  cluster: number;
  first: number;
  last: number;
}

/** `12.0 - 12.4` lines → ranges. Throws when stdout holds none. */
export function parseTerse(stdout: string): ProcRange[] {
  const out: ProcRange[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^\s*(\d+)\.(\d+)\s*-\s*(\d+)\.(\d+)\s*$/.exec(line);
    if (!m) continue;
    const cluster = Number(m[1]);
    if (Number(m[3]) !== cluster)
      throw new Error(`condor_submit reported a range across clusters: '${line.trim()}'`);
    out.push({ cluster, first: Number(m[2]), last: Number(m[4]) });
  }
  if (out.length === 0)
    throw new Error(`condor_submit printed no job ids: '${stdout.trim().slice(0, 500)}'`);
  return out;
}

/** Job ids `C.P` of the ranges, in proc order. */
export function rangeIds(ranges: ProcRange[]): string[] {
  const ids: string[] = [];
  for (const r of ranges) for (let p = r.first; p <= r.last; p++) ids.push(`${r.cluster}.${p}`);
  return ids;
}

export type Ad = Record<string, unknown>;

/** condor_q / condor_history `-json` output → ads. Empty output (condor_q, no match) is []. */
export function parseAdsJson(stdout: string): Ad[] {
  const text = stdout.trim();
  if (text === '') return [];
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(
      `Unreadable JSON from HTCondor (${(e as Error).message}): ${text.slice(0, 300)}`
    );
  }
  if (!Array.isArray(data)) throw new Error('HTCondor JSON output is not an array of ads');
  return data.filter((a): a is Ad => !!a && typeof a === 'object' && !Array.isArray(a));
}

const EXPR = /^\/Expr\(([\s\S]*)\)\/$/;

/** The expression text of an `\/Expr(...)\/` value (JSON.parse turns `\/` into `/`), else null. */
export function exprOf(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const m = EXPR.exec(v);
  return m ? m[1] : null;
}

/** A number, or null when undefined or an expression that is not a plain number. */
export function num(ad: Ad, key: string): number | null {
  const v = ad[key];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  const e = exprOf(v);
  if (e !== null && /^\s*-?\d+(\.\d+)?\s*$/.test(e)) return Number(e);
  return null;
}

export function str(ad: Ad, key: string): string | null {
  const v = ad[key];
  if (typeof v !== 'string' || exprOf(v) !== null) return null;
  return v;
}

export function bool(ad: Ad, key: string): boolean | null {
  const v = ad[key];
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  const e = exprOf(v)?.trim().toLowerCase();
  if (e === 'true') return true;
  if (e === 'false') return false;
  return null;
}

export function adId(ad: Ad): string | null {
  const c = num(ad, 'ClusterId');
  const p = num(ad, 'ProcId');
  return c === null || p === null ? null : `${c}.${p}`;
}

export const JOB_STATUS = {
  IDLE: 1,
  RUNNING: 2,
  REMOVED: 3,
  COMPLETED: 4,
  HELD: 5,
  TRANSFERRING_OUTPUT: 6,
  SUSPENDED: 7,
} as const;

/** Attributes every poll asks for. */
export const POLL_ATTRIBUTES = [
  'ClusterId',
  'ProcId',
  'JobStatus',
  'LastJobStatus',
  'ExitCode',
  'ExitBySignal',
  'ExitSignal',
  'HoldReason',
  'HoldReasonCode',
  'HoldReasonSubCode',
  'RemoveReason',
  'EnteredCurrentStatus',
  'JobStartDate',
  'JobCurrentStartDate',
  'CompletionDate',
  'MemoryUsage',
  'ResidentSetSize',
  'RemoteUserCpu',
  'RemoteSysCpu',
  'RemoteWallClockTime',
  'DiskUsage',
  'RequestMemory',
  'NumJobStarts',
  'BulkrunGroup',
  'BulkrunJobId',
];

/** JobStatus values after which an ad's usage attributes hold the run's final figures. */
export function isFinalAd(ad: Ad): boolean {
  const st = num(ad, 'JobStatus');
  return st === JOB_STATUS.COMPLETED || st === JOB_STATUS.REMOVED || st === JOB_STATUS.HELD;
}

/**
 * What HTCondor measured, from a job ad: MemoryUsage (MiB; the submit-time expression
 * `((ResidentSetSize + 1023) / 1024)` in condor_q -json, so ResidentSetSize in KiB is read
 * first), RemoteUserCpu + RemoteSysCpu and RemoteWallClockTime (seconds), DiskUsage (KiB).
 * Null when none of them is there.
 */
export function adUsage(ad: Ad): Partial<JobUsage> | null {
  const out: Partial<JobUsage> = {};
  const rss = num(ad, 'ResidentSetSize');
  const mem = num(ad, 'MemoryUsage');
  if (rss !== null && rss > 0) out.maxRssBytes = rss * 1024;
  else if (mem !== null && mem > 0) out.maxRssBytes = mem * 1024 * 1024;
  const user = num(ad, 'RemoteUserCpu');
  const sys = num(ad, 'RemoteSysCpu');
  if (user !== null || sys !== null) out.cpuSeconds = (user ?? 0) + (sys ?? 0);
  const wall = num(ad, 'RemoteWallClockTime');
  if (wall !== null) out.wallSeconds = wall;
  const disk = num(ad, 'DiskUsage');
  if (disk !== null && disk > 0) out.maxDiskBytes = disk * 1024;
  return Object.keys(out).length ? { ...out, source: 'htcondor' } : null;
}

/** HoldReasonCode values with a Bulkrun meaning (condor_holdcodes.h). */
export const HOLD_CODES = {
  USER_REQUEST: 1,
  JOB_POLICY: 3,
  JOB_OUT_OF_RESOURCES: 34,
  JOB_DURATION_EXCEEDED: 46,
  JOB_EXECUTE_EXCEEDED: 47,
} as const;

function iso(epochSec: number | null): string | undefined {
  return epochSec && epochSec > 0 ? new Date(epochSec * 1000).toISOString() : undefined;
}

export function heldError(ad: Ad): JobError {
  const code = num(ad, 'HoldReasonCode');
  const sub = num(ad, 'HoldReasonSubCode');
  const reason = str(ad, 'HoldReason') ?? 'no reason given';
  const tag = `HoldReasonCode ${code ?? '?'}${sub ? `/${sub}` : ''}`;
  if (code === HOLD_CODES.JOB_DURATION_EXCEEDED || code === HOLD_CODES.JOB_EXECUTE_EXCEEDED) {
    return {
      code: 'timeout',
      message: `The job ran past its walltime and was held: ${reason} (${tag})`,
    };
  }
  if (code === HOLD_CODES.JOB_OUT_OF_RESOURCES) {
    return {
      code: 'oom',
      message: `The job used more resources than requested and was held: ${reason} (${tag})`,
    };
  }
  return { code: 'held', message: `Job was held: ${reason} (${tag})` };
}

export interface Interpretation {
  update: StatusUpdate | null;
  /** JobStatus 5: the hold code, so the caller can release transient holds or remove the job. */
  held?: { code: number | null; subCode: number | null };
}

/**
 * What one ad means for a tracked job. `exit` is the wrapper's exit record, read only when
 * the ad says the job ran or ended; it wins over HTCondor's own exit attributes because it
 * is the job's status, not the wrapper's. A terminal update from a final ad (completed,
 * removed, held) carries HTCondor's usage figures (adUsage).
 */
export function interpretAd(
  job: TrackedJob,
  ad: Ad,
  records: { exit: ExitRecord | null; started: StartRecord | null }
): Interpretation {
  const status = num(ad, 'JobStatus');
  const id = adId(ad) ?? job.backendJobId ?? undefined;
  const startedAt =
    iso(num(ad, 'JobCurrentStartDate') ?? num(ad, 'JobStartDate')) ??
    records.started?.at.toISOString();
  const base = { jobId: job.jobId, backendJobId: id };
  const res = interpret(job, ad, records, status, base, startedAt);
  // A running ad's figures are a sample of a run still under way: only final ones count.
  const usage = res.update && isFinalAd(ad) ? adUsage(ad) : null;
  if (res.update && usage) res.update.usage = { ...res.update.usage, ...usage };
  return res;
}

function interpret(
  job: TrackedJob,
  ad: Ad,
  records: { exit: ExitRecord | null; started: StartRecord | null },
  status: number | null,
  base: { jobId: string; backendJobId: string | undefined },
  startedAt: string | undefined
): Interpretation {
  if (records.exit && status !== JOB_STATUS.REMOVED) {
    return { update: exitRecordUpdate(job.jobId, records.exit, records.started) };
  }
  switch (status) {
    case JOB_STATUS.IDLE:
      // An evicted job goes back to idle; Bulkrun keeps showing it as running (states move forward).
      return { update: null };
    case JOB_STATUS.RUNNING:
    case JOB_STATUS.TRANSFERRING_OUTPUT:
      if (job.status === 'running') return { update: null };
      return { update: { ...base, status: 'running', startedAt } };
    case JOB_STATUS.SUSPENDED:
      if (job.status === 'running') return { update: null };
      return {
        update: {
          ...base,
          status: 'running',
          startedAt,
          reason: 'suspended by HTCondor (JobStatus 7)',
        },
      };
    case JOB_STATUS.REMOVED: {
      const why = str(ad, 'RemoveReason');
      return {
        update: {
          ...base,
          status: 'terminated',
          finishedAt: iso(num(ad, 'EnteredCurrentStatus')),
          reason: why ? `removed from HTCondor: ${why}` : 'removed from HTCondor',
        },
      };
    }
    case JOB_STATUS.COMPLETED: {
      const finishedAt = iso(num(ad, 'CompletionDate')) ?? iso(num(ad, 'EnteredCurrentStatus'));
      if (bool(ad, 'ExitBySignal')) {
        const sig = num(ad, 'ExitSignal');
        return {
          update: {
            ...base,
            status: 'error',
            exitCode: null,
            startedAt,
            finishedAt,
            error:
              sig === 9
                ? {
                    code: 'oom',
                    message: 'The job wrapper was killed (SIGKILL), most likely out of memory',
                  }
                : {
                    code: 'job_crashed',
                    message: `The job wrapper was killed by signal ${sig ?? '?'}`,
                  },
          },
        };
      }
      const code = num(ad, 'ExitCode');
      if (code === null) {
        return {
          update: {
            ...base,
            status: 'error',
            startedAt,
            finishedAt,
            error: {
              code: 'job_crashed',
              message: 'HTCondor reports the job completed but gives no exit code',
            },
          },
        };
      }
      // No exit record visible: HTCondor's ExitCode is the wrapper's, which is the job's own
      // status, except 97 (the wrapper could not enter the work dir).
      if (code === 97) {
        return {
          update: {
            ...base,
            status: 'error',
            exitCode: code,
            startedAt,
            finishedAt,
            error: {
              code: 'job_crashed',
              message:
                'The job wrapper could not enter the work dir (is it on a filesystem shared with the execute node?)',
            },
          },
        };
      }
      const error = exitCodeError(code);
      return {
        update: {
          ...base,
          status: error ? 'error' : 'completed',
          exitCode: code,
          error,
          startedAt,
          finishedAt,
        },
      };
    }
    case JOB_STATUS.HELD:
      return {
        update: {
          ...base,
          status: 'error',
          error: heldError(ad),
          finishedAt: iso(num(ad, 'EnteredCurrentStatus')),
        },
        held: { code: num(ad, 'HoldReasonCode'), subCode: num(ad, 'HoldReasonSubCode') },
      };
    default:
      return { update: null };
  }
}

/**
 * condor_rm / condor_release stderr lines that mean "nothing left to do" (tool.cpp and the
 * schedd's action results): the job is gone or already in the requested state.
 */
export function harmlessActionLine(line: string): boolean {
  const l = line.trim();
  if (l === '') return true;
  return (
    /^Job \d+\.\d+ not found/.test(l) ||
    /^Job \d+\.\d+ already marked for removal/.test(l) ||
    /^Job \d+\.\d+ not held to be released/.test(l) ||
    /^There are no jobs in the queue/.test(l) ||
    /^Couldn't find\/(remove|release) all jobs/.test(l)
  );
}

/** True when every stderr line of a failed condor_rm/condor_release is harmless. */
export function actionFailureIsHarmless(stderr: string): boolean {
  const lines = stderr.split('\n').filter(l => l.trim() !== '');
  return lines.length > 0 && lines.every(harmlessActionLine);
}
