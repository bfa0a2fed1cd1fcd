/**
 * Queries on the batches table (the batch-only fields of a batch parent). Invariant: the
 * n_<status> columns count the batch's rows (role 'task') by the status of their newest
 * attempt, and they change in the same transaction as the row (shiftCount); recount()
 * rebuilds them from the rows when a crash left that unsure.
 */
import type { JobStatus } from '../protocol/records';
import type { DB, Stmt } from './db';
import { StatementCache } from './db';
import type { BatchRow } from './rows';

export type NewBatch = Pick<
  BatchRow,
  'id' | 'label' | 'total' | 'fan_in' | 'max_parallel' | 'max_retries' | 'idempotency_key'
> & { n_created: number };

const COUNT_COLUMNS = [
  'n_created',
  'n_queued',
  'n_running',
  'n_completed',
  'n_error',
  'n_terminated',
] as const;

export class BatchQueries {
  private readonly insertStmt: Stmt;
  private readonly getStmt: Stmt;
  private readonly byKeyStmt: Stmt;
  private readonly rowCountsStmt: Stmt;
  private readonly stmts: StatementCache;

  constructor(db: DB) {
    this.stmts = new StatementCache(db);
    this.insertStmt = db.prepare(
      `INSERT INTO batches (id, label, total, fan_in, max_parallel, max_retries, idempotency_key, n_created)
       VALUES (@id, @label, @total, @fan_in, @max_parallel, @max_retries, @idempotency_key, @n_created)`
    );
    this.getStmt = db.prepare('SELECT * FROM batches WHERE id = ?');
    this.byKeyStmt = db.prepare('SELECT * FROM batches WHERE idempotency_key = ?');
    this.rowCountsStmt = db.prepare(
      `SELECT status, COUNT(*) AS n FROM jobs WHERE batch_id = ? AND role = 'task' AND is_latest = 1 GROUP BY status`
    );
  }

  insert(b: NewBatch): void {
    this.insertStmt.run(b);
  }

  get(id: string): BatchRow | undefined {
    return this.getStmt.get(id) as BatchRow | undefined;
  }

  byIdempotencyKey(key: string): BatchRow | undefined {
    return this.byKeyStmt.get(key) as BatchRow | undefined;
  }

  /** Moves one row's effective state between count columns (null: not counted). */
  shiftCount(id: string, from: JobStatus | null, to: JobStatus | null): void {
    if (from === to) return;
    const sets: string[] = [];
    if (from) sets.push(`n_${from} = n_${from} - 1`);
    if (to) sets.push(`n_${to} = n_${to} + 1`);
    this.stmts.get(`UPDATE batches SET ${sets.join(', ')} WHERE id = ?`).run(id);
  }

  /** Rebuilds the count columns from the rows' newest attempts (call inside a transaction). */
  recount(id: string): void {
    const patch: Partial<Record<(typeof COUNT_COLUMNS)[number], number>> = {};
    for (const c of COUNT_COLUMNS) patch[c] = 0;
    for (const c of this.rowCountsStmt.all(id) as { status: JobStatus; n: number }[])
      patch[`n_${c.status}`] = c.n;
    this.update(id, patch);
  }

  /** Patch arbitrary columns of one batch. Column names come from code, never from input. */
  update(id: string, patch: Partial<BatchRow>): void {
    const keys = Object.keys(patch);
    if (keys.length === 0) return;
    this.stmts
      .get(`UPDATE batches SET ${keys.map(k => `${k} = @${k}`).join(', ')} WHERE id = @id`)
      .run({ ...patch, id });
  }
}
