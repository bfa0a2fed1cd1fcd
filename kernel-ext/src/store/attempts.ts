/**
 * Attempts of a row (docs/SEMANTICS.md "Retry"): the first job is the root; every retry
 * links to the root (retry_parent) with the next `attempt` number. Invariant: of a
 * root's attempts exactly one has is_latest = 1, the newest, and it is the row's
 * effective state (batch counts, fan-in inputs, retry of a batch). While a crash leaves
 * it unsure (retry_complete = 0), relinkLatest() re-derives it.
 */
import type { JobStatus } from '../protocol/records';
import type { DB, Stmt } from './db';
import type { JobRow } from './rows';

export class AttemptQueries {
  private readonly ofStmt: Stmt;
  private readonly latestStmt: Stmt;
  private readonly retryIdsStmt: Stmt;
  private readonly retryIdsManyStmt: Stmt;
  private readonly retryCountStmt: Stmt;
  private readonly markLatestStmt: Stmt;
  private readonly openStmt: Stmt;
  private readonly latestOfBatchStmt: Stmt;
  private readonly latestRowsFromStmt: Stmt;
  private readonly latestOthersStmt: Stmt;
  private readonly latestOutputsStmt: Stmt;

  constructor(db: DB) {
    this.ofStmt = db.prepare(
      'SELECT * FROM jobs WHERE id = ? OR retry_parent = ? ORDER BY attempt'
    );
    this.latestStmt = db.prepare(
      'SELECT * FROM jobs WHERE id = ? OR retry_parent = ? ORDER BY attempt DESC LIMIT 1'
    );
    this.retryIdsStmt = db
      .prepare('SELECT id FROM jobs WHERE retry_parent = ? ORDER BY attempt')
      .pluck();
    this.retryIdsManyStmt = db.prepare(
      `SELECT retry_parent AS root, id FROM jobs
       WHERE retry_parent IN (SELECT value FROM json_each(?)) ORDER BY attempt`
    );
    this.retryCountStmt = db.prepare('SELECT COUNT(*) FROM jobs WHERE retry_parent = ?').pluck();
    this.markLatestStmt = db.prepare(
      'UPDATE jobs SET is_latest = (id = ?) WHERE id = ? OR retry_parent = ?'
    );
    this.openStmt = db.prepare(
      // Served by jobs_retry_open (010_retry_open_index.sql): a few rows, not the table.
      `SELECT * FROM jobs WHERE retry_complete = 0 AND (status != 'created' OR created_at < ?)
       ORDER BY created_at LIMIT ?`
    );
    // Each row index has one newest attempt, so `idx > ?` resumes exactly.
    this.latestRowsFromStmt = db.prepare(
      `SELECT id, idx FROM jobs WHERE batch_id = ? AND role = 'task' AND idx > ? AND is_latest = 1
         AND status IN (SELECT value FROM json_each(?)) ORDER BY idx LIMIT ?`
    );
    this.latestOthersStmt = db
      .prepare(
        `SELECT id FROM jobs WHERE batch_id = ? AND role <> 'task' AND is_latest = 1
         AND status IN (SELECT value FROM json_each(?)) ORDER BY role DESC, idx`
      )
      .pluck();
    this.latestOfBatchStmt = db
      .prepare(
        `SELECT id FROM jobs WHERE batch_id = ? AND is_latest = 1 AND status IN (SELECT value FROM json_each(?))
         ORDER BY role DESC, idx`
      )
      .pluck();
    this.latestOutputsStmt = db.prepare(
      "SELECT idx, output FROM jobs WHERE batch_id = ? AND role = 'task' AND is_latest = 1 ORDER BY idx"
    );
  }

  /** Every attempt of the row whose root is `rootId`, oldest first (the root first). */
  of(rootId: string): JobRow[] {
    return this.ofStmt.all(rootId, rootId) as JobRow[];
  }

  /** The newest attempt of the row whose root is `rootId`; null when there is no such job. */
  latest(rootId: string): JobRow | null {
    return (this.latestStmt.get(rootId, rootId) as JobRow | undefined) ?? null;
  }

  /** Ids of a root's retries, oldest first (a record's retryIds; the root not included). */
  retryIds(rootId: string): string[] {
    return this.retryIdsStmt.all(rootId) as string[];
  }

  /** retryIds for many roots in one query, keyed by root id (roots without retries absent). */
  retryIdsMany(rootIds: string[]): Map<string, string[]> {
    const out = new Map<string, string[]>();
    if (rootIds.length === 0) return out;
    const rows = this.retryIdsManyStmt.all(JSON.stringify(rootIds)) as {
      root: string;
      id: string;
    }[];
    for (const r of rows) {
      const list = out.get(r.root);
      if (list) list.push(r.id);
      else out.set(r.root, [r.id]);
    }
    return out;
  }

  /** How many retries a root has had (its attempts but the first). */
  retryCount(rootId: string): number {
    return this.retryCountStmt.get(rootId) as number;
  }

  /**
   * Re-derives which attempt is the newest and marks it alone as latest (call inside a
   * transaction). Returns its id, or null when the root does not exist.
   */
  relinkLatest(rootId: string): string | null {
    const newest = this.latest(rootId);
    if (!newest) return null;
    this.markLatestStmt.run(newest.id, rootId, rootId);
    return newest.id;
  }

  /**
   * Attempts whose retry lifecycle a crash may have interrupted: retry_complete = 0 and
   * either past `created` or created before `createdBefore` (younger `created` ones are
   * still the dispatcher's to submit); the oldest `limit` of them.
   */
  open(createdBefore: number, limit: number): JobRow[] {
    return this.openStmt.all(createdBefore, limit) as JobRow[];
  }

  /**
   * The same ids as latestOfBatch, read a page at a time: each call of the answered function
   * gives the next `n` (none once all are given). Rows by index (a range seek on jobs_batch_ids
   * from the last index given), then the batch's other jobs (its fan-in).
   */
  latestOfBatchPages(batchId: string, statuses: readonly JobStatus[]): (n: number) => string[] {
    const wanted = JSON.stringify(statuses);
    let afterIdx = -1;
    let othersDone = false;
    return n => {
      const rows = this.latestRowsFromStmt.all(batchId, afterIdx, wanted, n) as {
        id: string;
        idx: number;
      }[];
      if (rows.length) {
        afterIdx = rows[rows.length - 1].idx;
        return rows.map(r => r.id);
      }
      if (othersDone) return [];
      othersDone = true;
      return this.latestOthersStmt.all(batchId, wanted) as string[];
    };
  }

  /** Ids of a batch's newest attempts in these states: rows by index, then the fan-in's. */
  latestOfBatch(batchId: string, statuses: readonly JobStatus[]): string[] {
    return this.latestOfBatchStmt.all(batchId, JSON.stringify(statuses)) as string[];
  }

  /** Outputs of a batch's rows in row order, newest attempt each (null when it wrote none). */
  latestOutputs(batchId: string): unknown[] {
    const rows = this.latestOutputsStmt.all(batchId) as { idx: number; output: string | null }[];
    return rows.map(r => (r.output === null ? null : JSON.parse(r.output)));
  }
}
