/**
 * Slots and claims: the submission bookkeeping of a job (001_init.sql). Every write of
 * `holds_slot` is defined here. A job's life at the scheduler:
 *
 *   claim()        created, submit_state NULL  →  'intent', holds_slot = 1, job token minted
 *                  (committed before the scheduler call: kill -9 safety)
 *   outcome        'intent' → 'done' with the scheduler's id (a plain jobs.update)
 *   handBack()     'intent' → NULL, holds_slot = 0: the scheduler never got it; it waits again
 *   SLOT_FREED     holds_slot = 0 when the job ends, or becomes a fan-out parent whose
 *                  children run, so nested fan-out cannot deadlock
 *
 * Invariant: holds_slot = 1 only from claim until the job ends or is handed back.
 */
import type { DB, Stmt } from './db';
import type { JobRow } from './rows';

/** The patch that gives a job's slot back; part of the same UPDATE as the change causing it. */
export const SLOT_FREED = { holds_slot: 0 } as const satisfies Partial<JobRow>;

/** What the tracker polls for: a job the scheduler has (submission recorded) and that is not over. */
export type AtScheduler = Pick<
  JobRow,
  'id' | 'backend_job_id' | 'submit_group' | 'work_dir' | 'status'
>;

export class SlotQueries {
  private readonly inUseStmt: Stmt;
  private readonly batchInUseStmt: Stmt;
  private readonly claimStmt: Stmt;
  private readonly handBackStmt: Stmt;
  private readonly openIntentsStmt: Stmt;
  private readonly atSchedulerStmt: Stmt;

  constructor(db: DB) {
    // Only the few jobs holding a slot are indexed (002_dispatch_index.sql).
    this.inUseStmt = db.prepare(
      'SELECT owner, backend, COUNT(*) AS n FROM jobs INDEXED BY jobs_slots WHERE holds_slot = 1 GROUP BY owner, backend'
    );
    // Counted on every dispatch pass for batches with a maxParallel (005_batch_in_use_index.sql).
    this.batchInUseStmt = db
      .prepare(
        `SELECT COUNT(*) FROM jobs INDEXED BY jobs_batch_in_use
         WHERE batch_id = ? AND role = 'task' AND (status IN ('queued', 'running') OR holds_slot = 1)`
      )
      .pluck();
    this.claimStmt = db.prepare(
      "UPDATE jobs SET submit_group = ?, submit_state = 'intent', holds_slot = 1, job_token = ? WHERE id = ? AND status = 'created'"
    );
    this.handBackStmt = db.prepare(
      `UPDATE jobs SET submit_group = NULL, submit_state = NULL, holds_slot = 0
       WHERE id = @id AND submit_state = 'intent' AND (@anyStatus = 1 OR status = 'created')`
    );
    this.openIntentsStmt = db.prepare("SELECT * FROM jobs WHERE submit_state = 'intent'");
    this.atSchedulerStmt = db.prepare(
      `SELECT id, backend_job_id, submit_group, work_dir, status FROM jobs
       WHERE backend = ? AND submit_state = 'done' AND (status IN ('queued','running'))`
    );
  }

  /** Slots in use, keyed by slotKey(owner, backend). */
  inUse(): Map<string, number> {
    const out = new Map<string, number>();
    for (const r of this.inUseStmt.all() as { owner: string; backend: string; n: number }[])
      out.set(slotKey(r.owner, r.backend), r.n);
    return out;
  }

  /** A batch's rows in the scheduler or holding a slot: what its maxParallel caps. */
  batchInUse(batchId: string): number {
    return this.batchInUseStmt.get(batchId) as number;
  }

  /**
   * Records the intent to submit a job in group `groupId` with its job token, and takes
   * its slot. Only a job still `created` is claimed; answers whether this one was.
   */
  claim(groupId: string, token: string, jobId: string): boolean {
    return this.claimStmt.run(groupId, token, jobId).changes === 1;
  }

  /**
   * Returns a claimed job to the queue of waiting jobs: clears its open intent and frees
   * its slot. Only an open intent is touched. By default only a job still `created`
   * (a submission that failed as a whole: a job cancelled or reported by the scheduler
   * meanwhile keeps its intent, for the next start to ask about); `anyStatus` for an
   * intent the scheduler answered, after a restart, that it never received.
   */
  handBack(jobId: string, opts: { anyStatus?: boolean } = {}): boolean {
    return this.handBackStmt.run({ id: jobId, anyStatus: opts.anyStatus ? 1 : 0 }).changes === 1;
  }

  /** Jobs whose submission outcome was never recorded (a crash between intent and outcome). */
  openIntents(): JobRow[] {
    return this.openIntentsStmt.all() as JobRow[];
  }

  /** The jobs a backend holds and is to report on. */
  atScheduler(backend: string): AtScheduler[] {
    return this.atSchedulerStmt.all(backend) as AtScheduler[];
  }
}

/** The key of an owner's slots on a backend. */
export function slotKey(owner: string, backend: string): string {
  return `${owner}\0${backend}`;
}
