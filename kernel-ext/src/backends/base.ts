/**
 * The contract between the engine and a scheduler adapter. The engine owns every
 * rule (states, retries, slots, fan-in); a backend only submits, polls and cancels.
 * One small module per scheduler implements `Backend` (local.ts, slurm.ts, htcondor.ts).
 */
import type {
  ContainerSpec,
  JobError,
  JobRole,
  JobStatus,
  Resources,
  JobUsage,
} from '../protocol/records';

export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

/** One job to hand to the scheduler. Its work dir is already prepared (see workdir.ts). */
export interface SubmitItem {
  jobId: string;
  batchId: string | null;
  role: JobRole;
  index: number | null;
  /** Absolute path; holds the job file, and receives started/exit/stdout.log/stderr.log. */
  workDir: string;
  /**
   * The job file's text (environment + argv), for backends that write work dirs
   * themselves (`writesWorkDirs`); for the others the engine has written it already.
   */
  job?: string;
  /** The program and its arguments, already templated; never run through a shell. */
  argv: string[];
  resources: Resources;
  container?: ContainerSpec;
  priority: number;
}

/**
 * Items submitted together: one batch chunk (an array on Slurm, a cluster on HTCondor),
 * or a set of single jobs / retries released in the same tick.
 */
export interface SubmitRequest {
  /** Stable id of this submission, recorded before the scheduler call so a restart can find it. */
  groupId: string;
  items: SubmitItem[];
  /** Cap on items of this group running at once (the batch's maxParallel). */
  maxParallel?: number | null;
}

export interface SubmitOutcome {
  jobId: string;
  backendJobId?: string;
  /** Set when this item could not be submitted: the scheduler's own message. */
  error?: string;
  /**
   * When the job already started, if the backend knows it at submission (local): recorded
   * with the outcome, in one transaction, instead of as a separate update.
   */
  startedAt?: string;
}

/** What the engine knows of a job the backend is responsible for. */
export interface TrackedJob {
  jobId: string;
  backendJobId: string | null;
  groupId: string | null;
  workDir: string;
  status: JobStatus;
}

/** A queued job whose priority changed after submission. */
export interface PriorityChange extends TrackedJob {
  role: JobRole;
  priority: number;
}

/** A change the backend observed. Terminal updates carry exitCode / error. */
export interface StatusUpdate {
  jobId: string;
  status: Exclude<JobStatus, 'created'>;
  backendJobId?: string;
  exitCode?: number | null;
  error?: JobError | null;
  /** ISO times when the backend knows them (wrapper records, scheduler accounting). */
  startedAt?: string;
  finishedAt?: string;
  /** Human-readable cause (scheduler state, hold reason) for logs and the UI. */
  reason?: string;
  /**
   * What the job used, when the backend measured it (terminal updates). A later update
   * that carries only usage (e.g. Slurm accounting arriving after the exit record) fills
   * in a finished job's usage without changing its state.
   */
  usage?: Partial<JobUsage>;
}

/** What a job reports of itself (wrapper.sh): it started, or it wrote its exit record. */
export type JobReport = 'started' | 'exited';

export interface BackendHealth {
  available: boolean;
  detail: string;
}

export interface BackendContext {
  log: Logger;
  /** Push updates at any time (e.g. a local process exited). */
  emit(updates: StatusUpdate[]): void;
  /** Directory the backend may use for its own state (wrapper copy, submit files). */
  stateDir: string;
}

export interface Backend {
  readonly name: string;
  /** How often the engine calls poll() while this backend has active jobs; 0 = never. */
  readonly pollIntervalMs: number;
  /** Default per-user slot limit for this backend (null = unlimited). */
  readonly defaultSlots: number | null;
  /**
   * True when the scheduler enforces a group's maxParallel itself (Slurm's `%N`,
   * HTCondor's max_idle): the engine then submits the whole batch at once.
   */
  readonly nativeMaxParallel?: boolean;
  /**
   * True when the backend creates each item's work dir and job file itself (Slurm: the
   * array task does, on the node, from one file per array), so a 10,000-row submission
   * is not 10,000 mkdirs and writes on the server first.
   */
  readonly writesWorkDirs?: boolean;
  /**
   * True (the default) when jobs see this machine's files at the same paths (local; a
   * cluster that mounts the same home and project filesystems): path parameters are then
   * checked to exist before a batch is accepted. A site whose nodes see other paths sets
   * `sharedFilesystem: false` in the backend's config (docs/SEMANTICS.md "Paths").
   */
  readonly sharedFilesystem?: boolean;
  /**
   * True when jobs should tell the server themselves when they start and end (wrapper.sh
   * posts to BULKRUN_URL; engine/reports.ts), so a scheduler's exit shows at once and not
   * at the next poll. Off for backends that hear of exits at once anyway (local, worker
   * pool) and where the server does not see the work dirs.
   */
  readonly reportsFromJobs?: boolean;
  /**
   * A job's own report, read from its work dir as poll() would read it: the update to
   * apply now, or null to leave the job to the next poll (docs/SEMANTICS.md "Reports
   * from jobs"). Never trusts anything but the work dir's records.
   */
  reported?(job: TrackedJob, event: JobReport): StatusUpdate | null;
  init(ctx: BackendContext): Promise<void>;
  health(): Promise<BackendHealth>;
  /** Submit all items in as few scheduler calls as possible. Never throws for per-item failures. */
  submit(req: SubmitRequest): Promise<SubmitOutcome[]>;
  /**
   * Optional: carries a priority change to jobs already in the scheduler. Best effort
   * (never throws): without it, priority orders only what the engine still holds.
   */
  reprioritize?(jobs: PriorityChange[]): Promise<void>;
  /** One scheduler query for all given jobs; returns only changes. Throws BackendUnavailable on outage. */
  poll(active: TrackedJob[]): Promise<StatusUpdate[]>;
  /** Cancel; a job the scheduler no longer knows is not an error. */
  cancel(jobs: TrackedJob[]): Promise<void>;
  /**
   * After a restart: of jobs whose submission was recorded as intended but whose
   * backend id was never stored, return those the scheduler did receive (jobId → backendJobId).
   */
  findSubmitted(jobs: TrackedJob[]): Promise<Map<string, string>>;
  close(): Promise<void>;
}

/** The settings of a backend whose jobs run on other nodes (Slurm, HTCondor). */
export interface NodesConfig {
  /** False when the nodes do not see this machine's paths (Backend.sharedFilesystem). */
  sharedFilesystem?: boolean;
  /**
   * False: jobs do not report their start and exit over BULKRUN_URL (Backend.reportsFromJobs),
   * e.g. where nodes cannot reach the server's port; the poll alone follows them.
   */
  jobReports?: boolean;
}

/** Reports help only where the server reads the records they point at. */
export function wantsReports(cfg: NodesConfig): boolean {
  return cfg.sharedFilesystem !== false && cfg.jobReports !== false;
}

/** Thrown by poll()/submit() when the scheduler itself cannot be reached (not a job failure). */
export class BackendUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackendUnavailable';
  }
}

/** Slices of at most `n` items: one scheduler command per slice keeps argv short. */
export function chunks<T>(items: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n));
  return out;
}

/**
 * Scheduler ids of queued jobs grouped by the scheduler's own priority value for their new
 * priority (one command per value); jobs without an id yet are skipped.
 */
export function idsByPriorityValue(
  jobs: PriorityChange[],
  value: (j: PriorityChange) => number
): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const j of jobs) {
    if (!j.backendJobId) continue;
    const v = value(j);
    const ids = out.get(v);
    if (ids) ids.push(j.backendJobId);
    else out.set(v, [j.backendJobId]);
  }
  return out;
}
