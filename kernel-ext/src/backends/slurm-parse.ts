/**
 * Parsers for Slurm command output (squeue text and JSON, sacct -P, scontrol show config)
 * and the mapping of Slurm job states to ours. Pure functions: tested on fixtures.
 */
import type { JobError, JobStatus } from '../protocol/records';

/** One squeue/sacct row, reduced to what tracking needs. */
export interface SlurmRow {
  /** `A_i` for an array task, `A` for a plain job or an array's not-yet-split remainder. */
  id: string;
  arrayJobId: string | null;
  /** Task index; null for a plain job or a remainder record. */
  taskId: number | null;
  /** For a remainder record: the task indexes it still stands for (null = unknown/all). */
  remainder: Set<number> | null;
  state: string;
  /** Extra state flags (23.11+ JSON lists them after the base state, e.g. REQUEUED). */
  flags: string[];
  reason: string;
  name: string;
  /** Exit code of the batch script when Slurm reports one, and the signal that ended it. */
  exitCode: number | null;
  signal: number | null;
  startTime: Date | null;
  endTime: Date | null;
  /** From sacct only: what the job used (see parseSacct). */
  usage?: SlurmUsage;
}

/** Format of the `squeue -h -r -t all -o FMT` query the backend runs (see parseSqueueText). */
export const SQUEUE_TEXT_FORMAT = '%i|%F|%K|%T|%r|%S|%e|%j';

function textTime(s: string | undefined): Date | null {
  if (!s || s === 'N/A' || s === 'Unknown' || s === 'None') return null;
  const d = new Date(s); // squeue prints local time without a zone: read as local time
  return Number.isNaN(d.getTime()) ? null : d;
}

/**
 * `squeue -h -r -t all -o '%i|%F|%K|%T|%r|%S|%e|%j'`: one line per array task (-r),
 * finished jobs included (-t all) until MinJobAge. The name comes last since it may hold '|'.
 */
export function parseSqueueText(text: string): SlurmRow[] {
  const rows: SlurmRow[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const parts = line.split('|');
    if (parts.length < 8) continue;
    const [id, arr, task, state, reason, start, end] = parts;
    const name = parts.slice(7).join('|');
    const arrayJobId = arr && arr !== 'N/A' && arr !== '0' ? arr : null;
    const taskId = task && /^\d+$/.test(task) ? Number(task) : null;
    const isRemainder = arrayJobId !== null && taskId === null;
    rows.push({
      id: taskId !== null && arrayJobId ? `${arrayJobId}_${taskId}` : id.trim(),
      arrayJobId,
      taskId,
      remainder: isRemainder ? remainderFromId(id) : null,
      state: state.trim(),
      flags: [],
      reason: reason.trim(),
      name,
      exitCode: null,
      signal: null,
      startTime: textTime(start),
      endTime: textTime(end),
    });
  }
  return rows;
}

/** `123_[4-9%2]` → {4..9}; a bare `123` → null (applies to every unsplit task). */
function remainderFromId(id: string): Set<number> | null {
  const m = /_\[([^\]]+)\]/.exec(id);
  return m ? parseArrayRange(m[1]) : null;
}

/** Slurm array index expressions: `0-9`, `1,3,5-7`, `0-15:4`, with an optional `%N` throttle. */
export function parseArrayRange(spec: string): Set<number> | null {
  const body = spec.replace(/%\d+$/, '').trim();
  if (!body) return null;
  const out = new Set<number>();
  for (const part of body.split(',')) {
    const m = /^(\d+)(?:-(\d+)(?::(\d+))?)?$/.exec(part.trim());
    if (!m) return null;
    const lo = Number(m[1]);
    const hi = m[2] !== undefined ? Number(m[2]) : lo;
    const step = m[3] !== undefined ? Math.max(1, Number(m[3])) : 1;
    for (let i = lo; i <= hi; i += step) out.add(i);
  }
  return out;
}

/** Compresses indexes to Slurm's range syntax: [1,2,3,5] → `1-3,5`. */
export function formatArrayRange(indexes: number[]): string {
  const s = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < s.length; ) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j] + 1) j++;
    parts.push(j === i ? `${s[i]}` : `${s[i]}-${s[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** 23.11+ wraps numbers as {set, infinite, number}; older versions give the number. */
function num(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (v && typeof v === 'object' && 'number' in v) {
    const o = v as { set?: boolean; infinite?: boolean; number?: number };
    if (o.set === false || o.infinite) return null;
    return typeof o.number === 'number' ? o.number : null;
  }
  return null;
}

function epoch(v: unknown): Date | null {
  const n = num(v);
  return n && n > 0 ? new Date(n * 1000) : null;
}

/** Exit code and signal from a raw wait status (22.05/23.02) or the 23.11+ object. */
function exitOf(v: unknown): { exitCode: number | null; signal: number | null } {
  if (typeof v === 'number') {
    const sig = v & 0x7f;
    return sig ? { exitCode: null, signal: sig } : { exitCode: (v >> 8) & 0xff, signal: null };
  }
  if (v && typeof v === 'object') {
    const o = v as { status?: string[] | string; return_code?: unknown; signal?: { id?: unknown } };
    const status = ([] as string[]).concat(o.status ?? []);
    const sig = num(o.signal?.id);
    if (status.includes('SIGNALED') || status.includes('CORE_DUMPED'))
      return { exitCode: null, signal: sig };
    if (status.includes('PENDING')) return { exitCode: null, signal: null };
    return { exitCode: num(o.return_code), signal: null };
  }
  return { exitCode: null, signal: null };
}

/** `squeue --json`: 22.05/23.02 (state string, raw numbers) and 23.11+ (state list, wrapped numbers). */
export function parseSqueueJson(text: string): SlurmRow[] {
  const doc = JSON.parse(text) as { jobs?: Record<string, unknown>[] };
  const rows: SlurmRow[] = [];
  for (const j of doc.jobs ?? []) {
    const jobId = num(j.job_id);
    const arrayJobId = num(j.array_job_id);
    const taskId = num(j.array_task_id);
    const stateList = ([] as string[]).concat((j.job_state as string | string[]) ?? []);
    const isArray = arrayJobId !== null && arrayJobId > 0;
    const taskString = typeof j.array_task_string === 'string' ? j.array_task_string : '';
    rows.push({
      id: isArray && taskId !== null ? `${arrayJobId}_${taskId}` : String(jobId),
      arrayJobId: isArray ? String(arrayJobId) : null,
      taskId: isArray ? taskId : null,
      remainder: isArray && taskId === null ? parseArrayRange(taskString) : null,
      state: stateList[0] ?? 'UNKNOWN',
      flags: stateList.slice(1),
      reason: typeof j.state_reason === 'string' ? j.state_reason : '',
      name: typeof j.name === 'string' ? j.name : '',
      ...exitOf(j.exit_code),
      startTime: epoch(j.start_time),
      endTime: epoch(j.end_time),
    });
  }
  return rows;
}

/**
 * What sacct measured of a job: its allocation's elapsed time and total CPU, and the peak
 * memory and disk writes of its steps (`<id>.batch`, `<id>.0`, ...), where the figures are.
 */
export interface SlurmUsage {
  wallSeconds: number | null;
  cpuSeconds: number | null;
  maxRssBytes: number | null;
  maxDiskBytes: number | null;
  /** Step rows seen: 0 while no step is in accounting yet (its figures are still to come). */
  steps: number;
  /** Steps still running: their MaxRSS and TotalCPU come when they end. */
  stepsRunning: number;
}

/**
 * The sacct query of the backend: `sacct -P -n --format=...`, name last since it may hold
 * '|'. Without -X: the step rows carry MaxRSS and MaxDiskWrite, and the allocation row's
 * TotalCPU is then the sum of its steps' (with -X it reads 00:00:00).
 */
export const SACCT_FORMAT =
  'JobID,State,ExitCode,Start,End,ElapsedRaw,TotalCPU,MaxRSS,MaxDiskWrite,JobName';

/** sacct's sizes: `123456K`, `1.5M`, `2G`, `50.00M` (units of 1024), or plain bytes. */
export function parseSlurmSize(s: string | undefined): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGTPE]?)\s*$/i.exec(s ?? '');
  if (!m) return null;
  const exp = ' KMGTPE'.indexOf(m[2].toUpperCase() || ' ');
  return Math.round(Number(m[1]) * 1024 ** exp);
}

/**
 * sacct's durations in seconds: TotalCPU's `MM:SS.mmm` (under an hour), `HH:MM:SS`,
 * `D-HH:MM:SS`, and Elapsed's forms; a bare number is seconds (ElapsedRaw).
 */
export function parseSlurmDuration(s: string | undefined): number | null {
  const m = /^\s*(?:(\d+)-)?(\d+(?:\.\d+)?)(?::(\d+(?:\.\d+)?))?(?::(\d+(?:\.\d+)?))?\s*$/.exec(
    s ?? ''
  );
  if (!m) return null;
  const parts = [m[2], m[3], m[4]].filter((p): p is string => p !== undefined).map(Number);
  // Two parts are MM:SS, three HH:MM:SS; a day prefix needs at least HH (D-HH[:MM[:SS]]).
  let secs: number;
  if (m[1] !== undefined) {
    const [h, mi = 0, se = 0] = parts;
    secs = Number(m[1]) * 86400 + h * 3600 + mi * 60 + se;
  } else if (parts.length === 3) secs = parts[0] * 3600 + parts[1] * 60 + parts[2];
  else if (parts.length === 2) secs = parts[0] * 60 + parts[1];
  else secs = parts[0];
  return Number.isFinite(secs) ? secs : null;
}

const STEP_ID = /^(.+)\.([A-Za-z0-9_+-]+)$/;
const RUNNING_STEP = /^\s*(RUNNING|PENDING|COMPLETING|CONFIGURING|SUSPENDED|RESIZING|REQUEUED)/i;

/**
 * `sacct -P -n --format=<format>` (default SACCT_FORMAT; any format with JobID, State,
 * ExitCode, Start, End and JobName last). State may read `CANCELLED by 0`; ExitCode is
 * `code:signal`; JobID is `A_i` for array tasks. Step rows (`A_i.batch`) are not rows of
 * their own: their figures go into their job's `usage` (MaxRSS and MaxDiskWrite: the
 * largest step's; TotalCPU: the allocation row's, else the steps' sum).
 */
export function parseSacct(text: string, format: string = SACCT_FORMAT): SlurmRow[] {
  const cols = format.split(',').map(c => c.trim().toLowerCase());
  const at = (name: string) => cols.indexOf(name);
  const nameAt = cols.length - 1;
  const rows: SlurmRow[] = [];
  const byId = new Map<string, SlurmRow>();
  const steps: {
    parent: string;
    running: boolean;
    cpu: number | null;
    rss: number | null;
    disk: number | null;
  }[] = [];
  const field = (parts: string[], name: string) => {
    const i = at(name);
    return i >= 0 && i < nameAt ? parts[i] : undefined;
  };
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const parts = line.split('|');
    if (parts.length < cols.length) continue;
    const id = parts[at('jobid')];
    const cpu = parseSlurmDuration(field(parts, 'totalcpu'));
    const step = STEP_ID.exec(id);
    if (step) {
      steps.push({
        parent: step[1],
        running: RUNNING_STEP.test(parts[at('state')] ?? ''),
        cpu,
        rss: parseSlurmSize(field(parts, 'maxrss')),
        disk: parseSlurmSize(field(parts, 'maxdiskwrite')),
      });
      continue;
    }
    const name = parts.slice(nameAt).join('|');
    const m = /^(\d+)_(\d+)$/.exec(id);
    const rm = /^(\d+)_\[(.+)\]$/.exec(id);
    const [code, sig] = (parts[at('exitcode')] ?? '').split(':').map(Number);
    const [state, ...rest] = (parts[at('state')] ?? '').trim().split(/\s+/);
    const elapsed = field(parts, 'elapsedraw') ?? field(parts, 'elapsed');
    const row: SlurmRow = {
      id,
      arrayJobId: m ? m[1] : rm ? rm[1] : null,
      taskId: m ? Number(m[2]) : null,
      remainder: rm ? parseArrayRange(rm[2]) : null,
      state,
      flags: [],
      reason: rest.join(' '),
      name,
      exitCode: sig ? null : Number.isFinite(code) ? code : null,
      signal: sig || null,
      startTime: textTime(parts[at('start')]),
      endTime: textTime(parts[at('end')]),
    };
    if (at('totalcpu') >= 0 || at('maxrss') >= 0 || elapsed !== undefined) {
      row.usage = {
        wallSeconds: parseSlurmDuration(elapsed),
        cpuSeconds: cpu,
        maxRssBytes: null,
        maxDiskBytes: null,
        steps: 0,
        stepsRunning: 0,
      };
    }
    rows.push(row);
    byId.set(id, row);
  }
  const steppedCpu = new Map<string, number>();
  for (const st of steps) {
    const u = byId.get(st.parent)?.usage;
    if (!u) continue;
    u.steps++;
    if (st.running) u.stepsRunning++;
    if (st.rss !== null) u.maxRssBytes = Math.max(u.maxRssBytes ?? 0, st.rss);
    if (st.disk !== null) u.maxDiskBytes = Math.max(u.maxDiskBytes ?? 0, st.disk);
    if (st.cpu !== null) steppedCpu.set(st.parent, (steppedCpu.get(st.parent) ?? 0) + st.cpu);
  }
  for (const [id, sum] of steppedCpu) {
    const u = byId.get(id)!.usage!;
    // The allocation row's TotalCPU is its steps' sum; it reads 0 where it was not summed.
    if (u.cpuSeconds === null || u.cpuSeconds < sum) u.cpuSeconds = sum;
  }
  return rows;
}

/** `scontrol show config`: `Key = value` lines. */
export function parseScontrolConfig(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^(\w+)\s*=\s*(.*)$/.exec(line.trim());
    if (m) out.set(m[1], m[2].trim());
  }
  return out;
}

export interface MappedState {
  status: Exclude<JobStatus, 'created'>;
  error?: JobError;
  /** True when Slurm's state is final but the wrapper's exit record should still decide. */
  awaitExitRecord?: boolean;
  reason: string;
}

function describe(row: Pick<SlurmRow, 'state' | 'reason' | 'flags'>): string {
  const flags = row.flags.length ? ` (${row.flags.join(', ')})` : '';
  const reason = row.reason && row.reason !== 'None' ? `: ${row.reason}` : '';
  return `Slurm ${row.state}${flags}${reason}`;
}

/** Maps every Slurm job state (and state flags) to ours. */
export function mapSlurmState(
  row: Pick<SlurmRow, 'state' | 'reason' | 'flags' | 'exitCode' | 'signal'>
): MappedState {
  const reason = describe(row);
  const state = row.state.toUpperCase().replace(/\+$/, '');
  const flags = row.flags.map(f => f.toUpperCase());
  const err = (code: string, message: string): MappedState => ({
    status: 'error',
    error: { code, message: `${message} (${reason})` },
    reason,
  });
  if (
    flags.includes('REQUEUED') ||
    flags.includes('REQUEUE_HOLD') ||
    flags.includes('REQUEUE_FED')
  ) {
    if (state !== 'RUNNING') return { status: 'queued', reason };
  }
  switch (state) {
    case 'PENDING':
    case 'CONFIGURING':
    case 'REQUEUED':
    case 'REQUEUE_HOLD':
    case 'REQUEUE_FED':
    case 'RESV_DEL_HOLD':
      return { status: 'queued', reason };
    case 'RUNNING':
    case 'COMPLETING':
    case 'SUSPENDED':
    case 'STOPPED':
    case 'SIGNALING':
    case 'STAGE_OUT':
    case 'RESIZING':
    case 'POWER_UP_NODE':
    case 'UPDATE_DB':
      return { status: 'running', reason };
    case 'COMPLETED':
      return { status: 'completed', awaitExitRecord: true, reason };
    case 'FAILED':
    case 'SPECIAL_EXIT':
      return {
        ...err(
          'job_crashed',
          row.signal
            ? `The job was killed by signal ${row.signal}`
            : `The job failed${row.exitCode !== null ? ` with exit code ${row.exitCode}` : ''}`
        ),
        awaitExitRecord: true,
      };
    case 'CANCELLED':
      return { status: 'terminated', reason };
    case 'TIMEOUT':
      return err('timeout', 'The job reached its time limit');
    case 'DEADLINE':
      return err('timeout', 'The job reached its deadline');
    case 'OUT_OF_MEMORY':
      return err('oom', 'The job ran out of memory');
    case 'NODE_FAIL':
      return err('node_failure', 'The node running the job failed');
    case 'BOOT_FAIL':
      return err('node_failure', 'The node for the job failed to boot');
    case 'PREEMPTED':
      return err('preempted', 'The job was preempted');
    case 'REVOKED':
      return { status: 'terminated', reason };
    default:
      return err('job_crashed', `Unknown Slurm state ${row.state}`);
  }
}

/** Marks of an outage rather than a job problem in a Slurm command's stderr. */
export function isControllerUnreachable(stderr: string): boolean {
  return /Unable to contact slurm controller|Socket timed out|Connection refused|connect failure|Zero Bytes were transmitted|Communication connection failure|slurm_persist_conn_open|Unable to establish a connection|Transport endpoint|Network is unreachable|No route to host/i.test(
    stderr
  );
}

/** scancel's answers for jobs that are already gone. */
export function isGoneJobError(stderr: string): boolean {
  return /Invalid job id|already completing or completed|Job has already finished|Job\/step already completing/i.test(
    stderr
  );
}
