/**
 * Keyset-paged lists (GET /batches, GET /batches/{id}/jobs). A page reads `limit + 1`
 * rows so the caller knows whether another page follows; the cursor is the last row's
 * sort key, so a page is stable while rows are added behind it. Filters come from
 * code (validated by the engine), values are bound.
 */
import type { JobStatus } from '../protocol/records';
import type { DB } from './db';
import { StatementCache } from './db';
import type { JobRow } from './rows';

/** Sort key of a batch's jobs: rows by index, the fan-in after every row. */
const BATCH_SORT_KEY = `(CASE WHEN role = 'fan_in' THEN 1000000000 ELSE idx END)`;

export interface TopFilter {
  /** Single jobs too, not only batch parents (a batch parent's role is 'single' too). */
  withSingles: boolean;
  /** Only this owner's; undefined for every owner's (an admin's list). */
  owner?: string;
  status?: JobStatus;
  /** After this (created_at, id), newest first. */
  before?: { at: number; id: string };
}

export interface BatchJobsFilter {
  /** Only each row's newest attempt. */
  latestOnly: boolean;
  status?: JobStatus;
  /** After this (sort key, attempt). */
  after?: { sk: number; attempt: number };
}

export class PageQueries {
  private readonly stmts: StatementCache;

  constructor(db: DB) {
    this.stmts = new StatementCache(db);
  }

  /** Top-level records (batch parents, and single jobs if asked), newest first; up to limit + 1. */
  top(f: TopFilter, limit: number): JobRow[] {
    const where = ['batch_id IS NULL', f.withSingles ? "role = 'single'" : 'is_batch = 1'];
    const args: unknown[] = [];
    if (f.owner !== undefined) {
      where.push('owner = ?');
      args.push(f.owner);
    }
    if (f.status) {
      where.push('status = ?');
      args.push(f.status);
    }
    if (f.before) {
      where.push('(created_at < ? OR (created_at = ? AND id < ?))');
      args.push(f.before.at, f.before.at, f.before.id);
    }
    return this.stmts
      .get(
        `SELECT * FROM jobs WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT ?`
      )
      .all(...args, limit + 1) as JobRow[];
  }

  /** A batch's jobs in sort-key order, attempts oldest first; up to limit + 1, with their sort key. */
  ofBatch(batchId: string, f: BatchJobsFilter, limit: number): (JobRow & { sk: number })[] {
    const where = ['batch_id = ?'];
    const args: unknown[] = [batchId];
    if (f.latestOnly) where.push('is_latest = 1');
    if (f.status) {
      where.push('status = ?');
      args.push(f.status);
    }
    if (f.after) {
      where.push(`(${BATCH_SORT_KEY} > ? OR (${BATCH_SORT_KEY} = ? AND attempt > ?))`);
      args.push(f.after.sk, f.after.sk, f.after.attempt);
    }
    return this.stmts
      .get(
        `SELECT *, ${BATCH_SORT_KEY} AS sk FROM jobs WHERE ${where.join(' AND ')} ORDER BY sk, attempt LIMIT ?`
      )
      .all(...args, limit + 1) as (JobRow & { sk: number })[];
  }
}
