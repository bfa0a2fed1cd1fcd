/** Row shapes of the jobs/batches tables and their mapping to the public records. */
import type {
  BatchCounts,
  BatchRecord,
  FanInSpec,
  JobRecord,
  JobRole,
  JobStatus,
  TerminatedCode,
} from '../protocol/records';

export interface JobRow {
  id: string;
  batch_id: string | null;
  is_batch: number;
  role: JobRole;
  idx: number | null;
  owner: string;
  app: string;
  app_version: string;
  params: string;
  resources: string;
  backend: string;
  backend_job_id: string | null;
  status: JobStatus;
  priority: number;
  created_at: number;
  queued_at: number | null;
  started_at: number | null;
  finished_at: number | null;
  exit_code: number | null;
  error_code: string | null;
  error_message: string | null;
  terminated_code: TerminatedCode | null;
  retry_parent: string | null;
  attempt: number;
  is_latest: number;
  retry_complete: number;
  output: string | null;
  work_dir: string;
  submit_group: string | null;
  submit_state: string | null;
  holds_slot: number;
  job_token: string | null;
  parent_job_id: string | null;
  origin: string | null;
  last_seen: string | null;
  /** 1 when this attempt's params were edited by the user (edit and rerun). */
  params_edited: number;
  /** JSON of JobUsage once measured (migration 007). */
  usage: string | null;
}

export interface BatchRow {
  id: string;
  label: string;
  total: number;
  fan_in: string | null;
  fan_in_job_id: string | null;
  max_parallel: number | null;
  max_retries: number;
  idempotency_key: string | null;
  cancelled: string | null;
  n_created: number;
  n_queued: number;
  n_running: number;
  n_completed: number;
  n_error: number;
  n_terminated: number;
  auto_retries: number;
  /** 1 when a row was retried after the fan-in started: it runs again when rows settle. */
  fan_in_stale: number;
}

export const iso = (ms: number | null): string | null =>
  ms === null ? null : new Date(ms).toISOString();

export function toJobRecord(r: JobRow, retryIds: string[]): JobRecord {
  return {
    id: r.id,
    batchId: r.batch_id,
    role: r.role,
    index: r.idx,
    owner: r.owner,
    app: r.app,
    appVersion: r.app_version,
    params: JSON.parse(r.params),
    resources: JSON.parse(r.resources),
    backend: r.backend,
    backendJobId: r.backend_job_id,
    status: r.status,
    priority: r.priority,
    createdAt: iso(r.created_at)!,
    queuedAt: iso(r.queued_at),
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
    exitCode: r.exit_code,
    error: r.error_code ? { code: r.error_code, message: r.error_message ?? '' } : null,
    terminatedCode: r.terminated_code,
    retryParent: r.retry_parent,
    retryIds,
    retryCount: retryIds.length,
    attempt: r.attempt,
    paramsEdited: !!r.params_edited,
    output: r.output === null ? null : JSON.parse(r.output),
    workDir: r.work_dir,
    parentJobId: r.parent_job_id,
    origin: r.origin,
    usage: r.usage ? JSON.parse(r.usage) : null,
  };
}

export function countsOf(b: BatchRow): BatchCounts {
  return {
    created: b.n_created,
    queued: b.n_queued,
    running: b.n_running,
    completed: b.n_completed,
    error: b.n_error,
    terminated: b.n_terminated,
  };
}

export function toBatchRecord(j: JobRecord, b: BatchRow, childJobIds: string[]): BatchRecord {
  return {
    ...j,
    batchJob: true,
    childJobIds,
    label: b.label,
    total: b.total,
    counts: countsOf(b),
    fanIn: b.fan_in ? (JSON.parse(b.fan_in) as FanInSpec) : null,
    fanInJobId: b.fan_in_job_id,
    maxParallel: b.max_parallel,
    maxRetries: b.max_retries,
  };
}
