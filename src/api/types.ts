/**
 * Frontend mirror of the server's public records and events
 * (kernel-ext/src/protocol). Kept as a copy because the extension compiles with
 * rootDir=src; data shapes only.
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

export function isTerminal(s: JobStatus | string | undefined | null): boolean {
  return s === 'completed' || s === 'error' || s === 'terminated';
}

export type JobRole = 'single' | 'task' | 'fan_in';

export interface JobError {
  code: string;
  message: string;
}

export interface Resources {
  cpus?: number;
  memory?: string;
  walltime?: string;
  gpus?: number;
  nodes?: number;
  tasksPerNode?: number;
  partition?: string;
  [extra: string]: unknown;
}

export interface AppDefinition {
  id: string;
  version: string;
  title: string;
  description: string;
  command: string[];
  parameters: JSONSchema;
  resources?: Resources;
  container?: { image: string; runtime: string };
  outputs?: Record<string, unknown>;
}

/** The subset of JSON Schema the parameter grid understands. */
export interface JSONSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  properties?: Record<string, JSONSchema>;
  required?: string[];
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  default?: unknown;
  format?: string;
  items?: JSONSchema;
  [extra: string]: unknown;
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
  terminatedCode: string | null;
  retryParent: string | null;
  retryIds: string[];
  retryCount: number;
  attempt: number;
  output: unknown | null;
  workDir: string;
  parentJobId?: string | null;
  origin?: string | null;
}

export type FanInPolicy = 'all_completed' | 'all_finished';

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
  fanIn: {
    app: string;
    params: Record<string, unknown>;
    resources: Resources;
    when: FanInPolicy;
  } | null;
  fanInJobId: string | null;
  maxParallel: number | null;
  maxRetries: number;
}

export interface RowError {
  row: number | null;
  field: string;
  message: string;
}

/** Body of POST /batches (plus the `origin` extension). */
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
}

export interface HealthReport {
  ok: boolean;
  version: string;
  backends: Record<string, { available: boolean; detail: string }>;
}

export type RetryResult =
  | { jobId: string; retryId: string }
  | { jobId: string; error: string | { code?: string; message: string } };

export interface LogChunk {
  data: string;
  offset: number;
  nextOffset: number;
  eof: boolean;
  size?: number;
}

// ---- WebSocket messages
export interface JobEvent {
  type: 'job';
  seq: number;
  job: Partial<JobRecord> & { id: string; status: JobStatus };
  reason?: string;
}
export interface BatchEvent {
  type: 'batch';
  seq: number;
  batch: {
    id: string;
    status: JobStatus;
    counts: BatchCounts;
    total?: number;
    fanInJobId?: string | null;
  };
}
export interface LogEvent {
  type: 'log';
  jobId: string;
  stream: 'stdout' | 'stderr';
  offset: number;
  data: string;
}
export type ServerMessage =
  | { type: 'hello'; seq: number }
  | JobEvent
  | BatchEvent
  | LogEvent
  | { type: 'reset' }
  | { type: 'error'; code: string; message: string }
  | { type: 'pong' };

export type ClientMessage =
  | { type: 'subscribe'; batchIds?: string[]; jobIds?: string[]; since?: number }
  | { type: 'logs'; jobId: string; stream: 'stdout' | 'stderr'; follow: boolean; offset?: number }
  | { type: 'ping' };
