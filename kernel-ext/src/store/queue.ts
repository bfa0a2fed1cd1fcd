/**
 * The queue of waiting jobs: `created`, not a batch parent, not claimed (submit_state
 * NULL). Pick order per owner and backend: single jobs, then fan-ins, then batch rows;
 * then priority (high first); then age; then row index. Rows of a cancelled batch are not
 * picked, though a cancel ends them a chunk at a time (engine/cancel.ts). Every read here is an index seek
 * on jobs_waiting (002_dispatch_index.sql): a dispatch pass runs after every job exit.
 */
import type { DB, Stmt } from './db';
import type { JobRow } from './rows';

/** A waiting job with what the dispatcher needs of its batch (null for a single job). */
export interface WaitingJob extends JobRow {
  max_parallel: number | null;
  /** The batch's rows not yet terminal; a fan-in waits for them. */
  rows_pending: number | null;
}

export class QueueQueries {
  private readonly nextOwnerStmt: Stmt;
  private readonly nextBackendStmt: Stmt;
  private readonly nextStmt: Stmt;

  constructor(db: DB) {
    // Who has waiting jobs, by index seeks: the next owner, then that owner's next
    // backend. (DISTINCT, or a row-value range, would visit every waiting job, on every
    // pass: O(waiting) per exit.)
    this.nextOwnerStmt = db
      .prepare(
        `SELECT owner FROM jobs INDEXED BY jobs_waiting
         WHERE status = 'created' AND is_batch = 0 AND submit_state IS NULL AND owner > ?
         ORDER BY owner LIMIT 1`
      )
      .pluck();
    this.nextBackendStmt = db
      .prepare(
        `SELECT backend FROM jobs INDEXED BY jobs_waiting
         WHERE status = 'created' AND is_batch = 0 AND submit_state IS NULL
           AND owner = ? AND backend > ?
         ORDER BY backend LIMIT 1`
      )
      .pluck();
    this.nextStmt = db.prepare(
      `SELECT j.*, b.max_parallel AS max_parallel,
              b.n_created + b.n_queued + b.n_running AS rows_pending
       FROM jobs j INDEXED BY jobs_waiting
       LEFT JOIN batches b ON b.id = j.batch_id
       WHERE j.owner = ? AND j.backend = ? AND j.status = 'created' AND j.is_batch = 0 AND j.submit_state IS NULL
         AND NOT (j.role = 'task' AND j.attempt >= ? AND j.batch_id IN (SELECT value FROM json_each(?)))
         AND b.cancelled IS NULL
       ORDER BY CASE j.role WHEN 'single' THEN 0 WHEN 'fan_in' THEN 1 ELSE 2 END,
                j.priority DESC, j.created_at, j.idx
       LIMIT ? OFFSET ?`
    );
  }

  /** Every (owner, backend) with waiting jobs, by owner then backend. */
  waiting(): { owner: string; backend: string }[] {
    const out: { owner: string; backend: string }[] = [];
    const nextOwner = (after: string) => this.nextOwnerStmt.get(after) as string | undefined;
    const nextBackend = (owner: string, after: string) =>
      this.nextBackendStmt.get(owner, after) as string | undefined;
    for (let owner = nextOwner(''); owner !== undefined; owner = nextOwner(owner)) {
      for (let b = nextBackend(owner, ''); b !== undefined; b = nextBackend(owner, b))
        out.push({ owner, backend: b });
    }
    return out;
  }

  /**
   * An owner's waiting jobs on a backend in pick order, `limit` of them from `offset`.
   * `held` leaves out the rows (role `task`, attempt ≥ `heldFromAttempt`) of batches that
   * are at their maxParallel, so a pass does not read every row of a long batch it may not
   * start (without it, 30,000 held rows cost a full read per pass, and a pass runs per exit).
   */
  next(
    owner: string,
    backend: string,
    limit: number,
    offset = 0,
    held: readonly string[] = [],
    heldFromAttempt = 1
  ): WaitingJob[] {
    return this.nextStmt.all(
      owner,
      backend,
      heldFromAttempt,
      JSON.stringify(held),
      limit,
      offset
    ) as WaitingJob[];
  }
}
