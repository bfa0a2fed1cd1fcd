/**
 * The per-app usage history (engine/suggest.ts reads it): finished jobs of one owner's app
 * that were measured or failed, newest first, within a time window.
 */
import type { DB, Stmt } from './db';

/** One past run as the suggestion reads it. */
export interface UsageSampleRow {
  app_version: string;
  params: string;
  resources: string;
  status: string;
  error_code: string | null;
  usage: string | null;
  finished_at: number;
}

export class UsageQueries {
  private readonly historyStmt: Stmt;

  constructor(db: DB) {
    // Served by the partial index jobs_usage_history (007_usage.sql); its WHERE is repeated
    // word for word so SQLite may use it. Batch parents run nothing of their own.
    this.historyStmt = db.prepare(
      `SELECT app_version, params, resources, status, error_code, usage, finished_at
         FROM jobs INDEXED BY jobs_usage_history
        WHERE owner = ? AND app = ? AND finished_at >= ?
          AND (usage IS NOT NULL OR error_code IS NOT NULL) AND is_batch = 0
        ORDER BY finished_at DESC LIMIT ?`
    );
  }

  /** The newest `limit` measured or failed runs of `app` by `owner` since `sinceMs`. */
  history(owner: string, app: string, sinceMs: number, limit: number): UsageSampleRow[] {
    return this.historyStmt.all(owner, app, sinceMs, limit) as unknown as UsageSampleRow[];
  }
}
