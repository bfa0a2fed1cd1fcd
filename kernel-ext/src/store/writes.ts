/**
 * Batches whose rows are still being written (migrations/009_batch_writes.sql,
 * engine/batch-writer.ts). Called inside the engine's transactions. Where a write
 * resumes follows from the rows themselves (`writtenUpTo`), so a chunk's commit touches
 * only the rows it adds.
 */
import type { DB, Stmt } from './db';

export interface BatchWriteRow {
  batch_id: string;
  /** JSON: the columns every row shares. */
  template: string;
  /** JSON array: every row's id, by row index. */
  ids: string;
  /** JSON array: every row's params (already merged and checked), by row index. */
  params: string;
}

export class WriteQueries {
  private readonly insertStmt: Stmt;
  private readonly writtenStmt: Stmt;
  private readonly removeStmt: Stmt;
  private readonly getStmt: Stmt;
  private readonly openStmt: Stmt;

  constructor(db: DB) {
    this.insertStmt = db.prepare(
      'INSERT INTO batch_writes (batch_id, template, ids, params) VALUES (?, ?, ?, ?)'
    );
    // One seek on jobs_batch_ids (batch_id, role, idx, …). Retries share their row's idx.
    this.writtenStmt = db
      .prepare("SELECT max(idx) FROM jobs WHERE batch_id = ? AND role = 'task'")
      .pluck();
    this.removeStmt = db.prepare('DELETE FROM batch_writes WHERE batch_id = ?');
    this.getStmt = db.prepare('SELECT * FROM batch_writes WHERE batch_id = ?');
    this.openStmt = db.prepare('SELECT batch_id FROM batch_writes ORDER BY rowid').pluck();
  }

  insert(w: BatchWriteRow): void {
    this.insertStmt.run(w.batch_id, w.template, w.ids, w.params);
  }

  /** How many of the batch's rows are in `jobs`: rows 0 to n-1 (the file's invariant). */
  writtenUpTo(batchId: string): number {
    const max = this.writtenStmt.get(batchId) as number | null;
    return max === null ? 0 : max + 1;
  }

  /** Every row is written. */
  remove(batchId: string): void {
    this.removeStmt.run(batchId);
  }

  get(batchId: string): BatchWriteRow | undefined {
    return this.getStmt.get(batchId) as BatchWriteRow | undefined;
  }

  /** Batches a stopped server left part written, oldest first. */
  open(): string[] {
    return this.openStmt.all() as string[];
  }
}
