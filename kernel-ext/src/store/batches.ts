/** Queries on the batches table (the batch-only fields of a batch parent). */
import type { JobStatus } from '../protocol/records';
import type { DB, Stmt } from './db';
import type { BatchRow } from './rows';

export class BatchQueries {
  private getStmt;
  private byKeyStmt;

  constructor(private db: DB) {
    this.getStmt = db.prepare('SELECT * FROM batches WHERE id = ?');
    this.byKeyStmt = db.prepare('SELECT * FROM batches WHERE idempotency_key = ?');
  }

  insert(
    b: Pick<
      BatchRow,
      'id' | 'label' | 'total' | 'fan_in' | 'max_parallel' | 'max_retries' | 'idempotency_key'
    > & { n_created: number }
  ): void {
    this.db
      .prepare(
        `INSERT INTO batches (id, label, total, fan_in, max_parallel, max_retries, idempotency_key, n_created)
         VALUES (@id, @label, @total, @fan_in, @max_parallel, @max_retries, @idempotency_key, @n_created)`
      )
      .run(b);
  }

  get(id: string): BatchRow | undefined {
    return this.getStmt.get(id) as BatchRow | undefined;
  }

  byIdempotencyKey(key: string): BatchRow | undefined {
    return this.byKeyStmt.get(key) as BatchRow | undefined;
  }

  /** Moves one row's effective state between count columns. */
  private shiftStmts = new Map<string, Stmt>();

  shiftCount(id: string, from: JobStatus | null, to: JobStatus | null): void {
    if (from === to) return;
    const key = `${from}>${to}`;
    let stmt = this.shiftStmts.get(key);
    if (!stmt) {
      const sets: string[] = [];
      if (from) sets.push(`n_${from} = n_${from} - 1`);
      if (to) sets.push(`n_${to} = n_${to} + 1`);
      stmt = this.db.prepare(`UPDATE batches SET ${sets.join(', ')} WHERE id = ?`) as Stmt;
      this.shiftStmts.set(key, stmt);
    }
    stmt.run(id);
  }

  update(id: string, patch: Partial<BatchRow>): void {
    const keys = Object.keys(patch);
    if (keys.length === 0) return;
    this.db
      .prepare(`UPDATE batches SET ${keys.map(k => `${k} = @${k}`).join(', ')} WHERE id = @id`)
      .run({ ...patch, id });
  }
}
