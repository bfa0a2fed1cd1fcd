/**
 * Records of the public contract (the REST API's JSON; docs/SEMANTICS.md). These types are shared with the
 * JupyterLab frontend, so they hold data only: no Node imports here.
 */

export const JOB_STATUSES = [
  'created',
  'queued',
  'running',
  'completed',
  'error',
  'terminated',
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const TERMINAL_STATUSES: readonly JobStatus[] = ['completed', 'error', 'terminated'];
export function isTerminal(s: JobStatus): boolean {
  return s === 'completed' || s === 'error' || s === 'terminated';
}

export type JobRole = 'single' | 'task' | 'fan_in';

export type JobErrorCode =
  | 'job_crashed'
  | 'oom'
  | 'timeout'
  | 'node_failure'
  /** A worker-pool row whose workers died running it too often (backends/rabbitmq.ts). */
  | 'dead_lettered'
  /** The job could not write to its work dir: the disk was full (engine/storage.ts). */
  | 'storage_full'
  | 'submit_failed'
  | 'lost'
  | 'missing_output'
  | 'held'
  | 'preempted'
  | 'invalid_output';

export type TerminatedCode = 'user' | 'admin' | 'automation' | 'batch_abort' | 'server_failure';

export interface JobError {
  code: JobErrorCode | string;
  message: string;
}

export interface Resources {
  cpus?: number;
  memory?: string; // e.g. "2G", "512M"
  walltime?: string; // e.g. "01:00:00"
  gpus?: number;
  nodes?: number;
  tasksPerNode?: number;
  partition?: string;
  account?: string;
  qos?: string;
  gres?: string;
  disk?: string;
  [extra: string]: unknown;
}

export type ContainerRuntime = 'apptainer' | 'singularity' | 'shifter' | 'docker' | 'podman';
export interface ContainerSpec {
  image: string;
  runtime: ContainerRuntime;
}

export interface AppDefinition {
  id: string;
  version: string;
  title: string;
  /** Optional in an app file; the registry fills in the title. */
  description: string;
  command: string[];
  parameters: Record<string, unknown>; // JSON Schema (type: object)
  resources?: Resources;
  container?: ContainerSpec;
  outputs?: Record<string, unknown>;
  /** When true, an `oom` failure is retried automatically with more memory. */
  retryOnOomWithMoreMemory?: boolean;
  /** When true, a `timeout` failure is retried automatically with more walltime. */
  retryOnTimeoutWithMoreTime?: boolean;
}

/** An app file the server could not load (or loaded only in part), with every reason. */
export interface AppFileProblem {
  file: string;
  /** Each says where: a field path, a line of a syntax error. */
  problems: string[];
}

/** The answer of GET /api/v1/apps. */
export interface AppList {
  apps: AppDefinition[];
  problems: AppFileProblem[];
}

export interface JobRecord {
  id: string;
  batchId: string | null;
  role: JobRole;
  index: number | null;
  owner: string;
  app: string;
  appVersion: string;
  params: Record<string, unknown>;
  resources: Resources;
  backend: string;
  backendJobId: string | null;
  status: JobStatus;
  priority: number;
  createdAt: string;
  queuedAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  exitCode: number | null;
  error: JobError | null;
  terminatedCode: TerminatedCode | null;
  retryParent: string | null;
  retryIds: string[];
  retryCount: number;
  /** True for an attempt run with parameters the user edited ("edit and rerun"). */
  paramsEdited?: boolean;
  attempt: number;
  output: unknown | null;
  workDir: string;
  /** Extension: the job that created this batch by dynamic fan-out, if any. */
  parentJobId?: string | null;
  /** Extension: free-form origin (e.g. the notebook path) set by the client. */
  origin?: string | null;
  /** What the finished job used (docs/SEMANTICS.md "Usage"); null while unknown. */
  usage?: JobUsage | null;
  /**
   * Extension: set on a row (or fan-in) that fanned out (docs/SEMANTICS.md "Nested
   * fan-out"): its sub-batch's size and counts. The sub-batch's id is the job's own id:
   * `GET /batches/{id}/jobs` (or `?parent=` on the top batch) pages it.
   */
  children?: { total: number; counts: BatchCounts; fanInJobId: string | null } | null;
}

/**
 * Measured use of a finished job: by the wrapper (the kernel's accounting of the job's
 * processes) and, where it has it, by the scheduler (Slurm accounting, HTCondor's
 * ClassAd). Each field is null when nothing measured it.
 */
export interface JobUsage {
  wallSeconds: number | null;
  /** User + system CPU time of the job's processes. */
  cpuSeconds: number | null;
  /** Peak resident memory (the largest process, or the scheduler's figure). */
  maxRssBytes: number | null;
  maxDiskBytes?: number | null;
  /** Who measured: 'wrapper', 'slurm', 'htcondor' (a scheduler's figure wins). */
  source: string;
}

export type FanInPolicy = 'all_completed' | 'all_finished';

export interface FanInSpec {
  app: string;
  params: Record<string, unknown>;
  resources: Resources;
  when: FanInPolicy;
}

export interface BatchCounts {
  created: number;
  queued: number;
  running: number;
  completed: number;
  error: number;
  terminated: number;
}

export interface BatchRecord extends JobRecord {
  batchJob: true;
  childJobIds: string[];
  label: string;
  total: number;
  counts: BatchCounts;
  fanIn: FanInSpec | null;
  fanInJobId: string | null;
  maxParallel: number | null;
  maxRetries: number;
}

export interface RowError {
  row: number | null;
  field: string;
  message: string;
}

/** Body of POST /batches. */
export interface BatchSpec {
  app: string;
  params: Record<string, unknown>[];
  shared?: Record<string, unknown>;
  resources?: Resources;
  backend?: string;
  label?: string;
  fanIn?: {
    app: string;
    params?: Record<string, unknown>;
    resources?: Resources;
    when?: FanInPolicy;
  } | null;
  maxParallel?: number;
  maxRetries?: number;
  priority?: number;
  idempotencyKey?: string;
  origin?: string;
  /**
   * Absolute directory that relative `format: path` values are resolved against (the
   * notebook's directory, the CLI's working directory): docs/SEMANTICS.md "Paths".
   */
  baseDir?: string;
}

/** One answer of POST /api/v1/paths/check: the path as given, resolved, and what is there. */
export interface PathCheckResult {
  path: string;
  resolved: string;
  /** null: nothing there (or a relative path with no base dir to resolve it against). */
  kind: 'file' | 'directory' | 'other' | null;
}

export interface HealthReport {
  ok: boolean;
  version: string;
  backends: Record<string, { available: boolean; detail: string }>;
  storage: StorageReport;
  /** Why the server is up but degraded ("data dir full: 0.0 MB free in <path>"), else null. */
  degraded: string | null;
  /** How late the server's event loop runs timers (server/loop-lag.ts). */
  eventLoop: LoopLag;
}

/** Event-loop lag in ms: since the server started, and the worst since the previous report. */
export interface LoopLag {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  sinceLastMaxMs: number;
}

/** The data dir's space (docs/SEMANTICS.md "A full disk"): `low` warns, `full` means writes wait. */
export interface StorageReport {
  dataDir: string;
  state: 'ok' | 'low' | 'full';
  freeBytes: number | null;
  /** Background writes waiting for space (backend results, submission records). */
  waiting: number;
}

/** One result of POST /jobs/retry and /batches/{id}/retry: the new attempt, or why not. */
export type RetryResult = { jobId: string; retryId: string } | { jobId: string; error: string };

/** GET /jobs/{id}/logs: a window of one log stream (byte offsets). */
export interface LogChunk {
  data: string;
  offset: number;
  nextOffset: number;
  eof: boolean;
  size: number;
}

/** Percentiles of one measure over an app's past runs. */
export interface UsageSpread {
  p50: number;
  p95: number;
  max: number;
}

/**
 * A measure that follows a numeric parameter (or a path parameter's file size, `param`
 * then names it with `bytes`): `value ≈ intercept + slope · x`, with the residual
 * spread the suggestion adds as headroom. Given only when it explains the variance.
 */
export interface UsageModel {
  measure: 'maxRssBytes' | 'wallSeconds';
  param: string;
  /** 'value' for a numeric parameter; 'bytes' for the size of a path parameter's file. */
  of: 'value' | 'bytes';
  slope: number;
  intercept: number;
  r2: number;
  /** The p95 of (observed − predicted) over the history; ≥ 0. */
  residualP95: number;
}

/** The answer of GET /api/v1/apps/{id}/usage (docs/SEMANTICS.md "Usage and suggestions"). */
export interface AppUsage {
  app: string;
  /** The app version the figures are for (the registry's current one unless asked). */
  version: string;
  /**
   * Set when this version has too few runs of its own and the figures come from the
   * previous version's history (that version's id).
   */
  inheritedFrom: string | null;
  /** Completed runs measured (within the history window). */
  runs: number;
  /** Failed runs by cause within the window: how often the requests were too small. */
  failures: { oom: number; timeout: number };
  /** Peak memory in bytes, wall time in seconds, CPU efficiency (cpu / (wall · cpus), 0–1). */
  memory: UsageSpread | null;
  wall: UsageSpread | null;
  cpuEfficiency: UsageSpread | null;
  /** The requests runs were made with, most recent first (for "you ask 8 GB"). */
  requested: { memoryBytes: number | null; walltimeSeconds: number | null };
  /** Models that explain a measure by a parameter, when one does (r2 ≥ 0.8). */
  models: UsageModel[];
  /**
   * Suggested resources for a batch like the past ones (canonical strings, e.g. "1700M",
   * "00:12:00"); null when there are fewer runs than the minimum. A client that knows its
   * rows applies `models` instead (src/model/suggest.ts).
   */
  suggestion: { memory?: string; walltime?: string } | null;
  /** How the suggestion was chosen, in words (for a tooltip) and the bound it keeps. */
  method: string;
  /** The largest expected share of rows that would fail with `oom` or `timeout`. */
  failureBound: number;
  /** How far back history counts (days). */
  windowDays: number;
}
