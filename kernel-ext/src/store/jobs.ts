/**
 * Queries on the jobs table: one job by id, a batch's jobs, batch-wide patches and the
 * reaper's age sweeps. Mutations are called inside the engine's transactions
 * (engine/lifecycle.ts), so a row change and its event commit together.
 */
import type { DB, Stmt } from './db';
import { StatementCache } from './db';
import type { JobRow } from './rows';

export type NewJob = Omit<
  JobRow,
  | 'backend_job_id'
  | 'queued_at'
  | 'started_at'
  | 'finished_at'
  | 'exit_code'
  | 'error_code'
  | 'error_message'
  | 'terminated_code'
  | 'output'
  | 'submit_group'
  | 'submit_state'
  | 'holds_slot'
  | 'last_seen'
  | 'params_edited'
  | 'usage'
>;

const COLS = [
  'id',
  'batch_id',
  'is_batch',
  'role',
  'idx',
  'owner',
  'app',
  'app_version',
  'params',
  'resources',
  'backend',
  'status',
  'priority',
  'created_at',
  'retry_parent',
  'attempt',
  'is_latest',
  'retry_complete',
  'work_dir',
  'job_token',
  'parent_job_id',
  'origin',
] as const;

export class JobQueries {
  private readonly insertStmt: Stmt;
  private readonly getStmt: Stmt;
  private readonly byBatchStmt: Stmt;
  private readonly idsOfBatchStmt: Stmt;
  private readonly taskIdsStmt: Stmt;
  private readonly otherIdsStmt: Stmt;
  private readonly rowRootsStmt: Stmt;
  private readonly unfinishedStmt: Stmt;
  private readonly queuedOfBatchStmt: Stmt;
  private readonly prioritizeBatchStmt: Stmt;
  private readonly staleCreatedStmt: Stmt;
  private readonly queuedBeforeStmt: Stmt;
  private readonly ancestorsStmt: Stmt;
  private readonly subBatchesStmt: Stmt;
  private readonly openTasksFromStmt: Stmt;
  private readonly openOthersStmt: Stmt;
  private readonly interruptedCancelsStmt: Stmt;
  private readonly updates: StatementCache;

  constructor(db: DB) {
    this.updates = new StatementCache(db);
    this.insertStmt = db.prepare(
      `INSERT INTO jobs (${COLS.join(', ')}) VALUES (${COLS.map(c => '@' + c).join(', ')})`
    );
    this.getStmt = db.prepare('SELECT * FROM jobs WHERE id = ?');
    this.byBatchStmt = db.prepare('SELECT * FROM jobs WHERE batch_id = ? ORDER BY idx, attempt');
    // All three read the covering index jobs_batch_ids (011_batch_ids_index.sql), in its order.
    this.idsOfBatchStmt = db
      .prepare('SELECT id FROM jobs WHERE batch_id = ? ORDER BY role DESC, idx, attempt')
      .pluck();
    this.taskIdsStmt = db
      .prepare(
        `SELECT id FROM jobs WHERE batch_id = ? AND role = 'task' AND idx >= ? AND idx < ?
         ORDER BY idx, attempt`
      )
      .pluck();
    this.otherIdsStmt = db
      .prepare(
        "SELECT id FROM jobs WHERE batch_id = ? AND role <> 'task' ORDER BY role DESC, idx, attempt"
      )
      .pluck();
    this.rowRootsStmt = db
      .prepare(
        "SELECT id FROM jobs WHERE batch_id = ? AND role = 'task' AND retry_parent IS NULL ORDER BY idx"
      )
      .pluck();
    // Served by the partial index jobs_status (001_init.sql).
    this.unfinishedStmt = db.prepare(
      "SELECT 1 FROM jobs WHERE status IN ('created', 'queued', 'running') LIMIT 1"
    );
    this.queuedOfBatchStmt = db.prepare(
      "SELECT * FROM jobs WHERE batch_id = ? AND status = 'queued'"
    );
    this.prioritizeBatchStmt = db.prepare(
      "UPDATE jobs SET priority = ? WHERE batch_id = ? AND status IN ('created','queued','running')"
    );
    this.staleCreatedStmt = db.prepare(
      `SELECT j.* FROM jobs j WHERE j.status = 'created' AND j.is_batch = 0 AND j.created_at < ?
       AND (j.submit_state = 'intent' OR j.backend NOT IN (SELECT value FROM json_each(?)))`
    );
    // A batch cancel ends rows a chunk at a time (engine/cancel.ts): a range seek on
    // jobs_batch_ids (batch_id, role, idx, …) from the last row index ended, so each chunk reads
    // only its own rows however many the batch has. `idx >= ?`: retries share their row's idx.
    this.openTasksFromStmt = db.prepare(
      `SELECT * FROM jobs WHERE batch_id = ? AND role = 'task' AND idx >= ?
         AND status IN ('created', 'queued', 'running')
       ORDER BY idx, attempt LIMIT ?`
    );
    this.openOthersStmt = db.prepare(
      `SELECT * FROM jobs WHERE batch_id = ? AND role <> 'task'
         AND status IN ('created', 'queued', 'running')`
    );
    // Invariant: a cancelled batch has no open row once its cancel has finished; one that has
    // was cancelled by a server that stopped before the last chunk. Served by jobs_status.
    this.interruptedCancelsStmt = db
      .prepare(
        `SELECT DISTINCT j.batch_id FROM jobs j JOIN batches b ON b.id = j.batch_id
         WHERE j.status IN ('created', 'queued', 'running') AND b.cancelled IS NOT NULL`
      )
      .pluck();
    this.queuedBeforeStmt = db.prepare(
      `SELECT * FROM jobs WHERE status = 'queued' AND is_batch = 0 AND queued_at < ?`
    );
    // Nested fan-out (docs/SEMANTICS.md): a batch's id is its parent job's id, and that job
    // may be a row of another batch. Depth is bounded (engine.maxFanOutDepth), so both walks
    // are short; each step is a primary-key or jobs_batch_ids index lookup.
    this.ancestorsStmt = db
      .prepare(
        `WITH RECURSIVE up(id, batch_id, n) AS (
           SELECT id, batch_id, 0 FROM jobs WHERE id = ?
           UNION ALL SELECT j.id, j.batch_id, up.n + 1 FROM jobs j JOIN up ON j.id = up.batch_id)
         SELECT id FROM up WHERE n > 0 ORDER BY n`
      )
      .pluck();
    this.subBatchesStmt = db
      .prepare(
        `WITH RECURSIVE down(id, n) AS (
           SELECT ?, 0
           UNION ALL SELECT j.id, down.n + 1 FROM jobs j JOIN down ON j.batch_id = down.id
            WHERE j.is_batch = 1 AND j.batch_id IS NOT NULL)
         SELECT id FROM down WHERE n > 0 ORDER BY n`
      )
      .pluck();
  }

  /** The batches above a job, nearest first (its batch, that batch's, …). */
  ancestors(id: string): string[] {
    return this.ancestorsStmt.all(id) as string[];
  }

  /** The sub-batches below a batch at any depth (rows that fanned out), nearest first. */
  subBatches(batchId: string): string[] {
    return this.subBatchesStmt.all(batchId) as string[];
  }

  /** Up to `limit` open rows (role task) of a batch from row index `fromIdx`, by index. */
  openTasksFrom(batchId: string, fromIdx: number, limit: number): JobRow[] {
    return this.openTasksFromStmt.all(batchId, fromIdx, limit) as JobRow[];
  }

  /** A batch's open jobs that are not rows (its fan-in). */
  openOthers(batchId: string): JobRow[] {
    return this.openOthersStmt.all(batchId) as JobRow[];
  }

  /** Batches marked cancelled that still have open rows: cancels a stop interrupted. */
  interruptedCancels(): string[] {
    return this.interruptedCancelsStmt.all() as string[];
  }

  /** Whether any job (single, row, fan-in or batch parent) is not yet terminal. */
  hasUnfinished(): boolean {
    return this.unfinishedStmt.get() !== undefined;
  }

  insert(job: NewJob): void {
    this.insertStmt.run(job);
  }

  get(id: string): JobRow | undefined {
    return this.getStmt.get(id) as JobRow | undefined;
  }

  /** Every job of a batch, every attempt: rows by index, attempts oldest first. */
  byBatch(batchId: string): JobRow[] {
    return this.byBatchStmt.all(batchId) as JobRow[];
  }

  /** Ids of every job of a batch (a batch record's childJobIds): rows, then the fan-in. */
  idsOfBatch(batchId: string): string[] {
    return this.idsOfBatchStmt.all(batchId) as string[];
  }

  /**
   * idsOfBatch a part at a time: the ids of rows `fromIdx` to `toIdx - 1` (every attempt),
   * then, with `toIdx` null, those of the jobs that are not rows (the fan-in). Read in
   * order, the parts are idsOfBatch.
   */
  idsOfBatchPart(batchId: string, fromIdx: number, toIdx: number | null): string[] {
    if (toIdx === null) return this.otherIdsStmt.all(batchId) as string[];
    return this.taskIdsStmt.all(batchId, fromIdx, toIdx) as string[];
  }

  /** The first attempt of each row of a batch, in row order (one id per row). */
  rowRoots(batchId: string): string[] {
    return this.rowRootsStmt.all(batchId) as string[];
  }

  /** A batch's jobs that the scheduler holds queued. */
  queuedOfBatch(batchId: string): JobRow[] {
    return this.queuedOfBatchStmt.all(batchId) as JobRow[];
  }

  /** Gives every unfinished job of a batch this priority; ended jobs keep theirs. */
  prioritizeBatch(batchId: string, priority: number): void {
    this.prioritizeBatchStmt.run(priority, batchId);
  }

  /**
   * Jobs still `created` since before `before` that could have been submitted: an open
   * intent, or a backend this server does not have. Rows held back by slots or
   * maxParallel are waiting by design and are not listed.
   */
  staleCreated(before: number, knownBackends: string[]): JobRow[] {
    return this.staleCreatedStmt.all(before, JSON.stringify(knownBackends)) as JobRow[];
  }

  /** Jobs the scheduler has held queued since before `before`. */
  queuedBefore(before: number): JobRow[] {
    return this.queuedBeforeStmt.all(before) as JobRow[];
  }

  /** Patch arbitrary columns of one job. Column names come from code, never from input. */
  update(id: string, patch: Partial<JobRow>): void {
    const keys = Object.keys(patch);
    if (keys.length === 0) return;
    this.updates
      .get(`UPDATE jobs SET ${keys.map(k => `${k} = @${k}`).join(', ')} WHERE id = @id`)
      .run({ ...patch, id });
  }
}
