/** Queries on the jobs table. Mutations are called inside the engine's transactions. */
import type { DB, Stmt } from './db';
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
  private insertStmt;
  private getStmt;
  private retryIdsStmt;
  private byBatchStmt;
  private unfinishedStmt;

  constructor(private db: DB) {
    this.insertStmt = db.prepare(
      `INSERT INTO jobs (${COLS.join(', ')}) VALUES (${COLS.map(c => '@' + c).join(', ')})`
    );
    this.getStmt = db.prepare('SELECT * FROM jobs WHERE id = ?');
    this.retryIdsStmt = db.prepare('SELECT id FROM jobs WHERE retry_parent = ? ORDER BY attempt');
    this.byBatchStmt = db.prepare('SELECT * FROM jobs WHERE batch_id = ? ORDER BY idx, attempt');
    // Served by the partial index jobs_status (001_init.sql).
    this.unfinishedStmt = db.prepare(
      "SELECT 1 FROM jobs WHERE status IN ('created', 'queued', 'running') LIMIT 1"
    );
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

  retryIds(rootId: string): string[] {
    return (this.retryIdsStmt.all(rootId) as { id: string }[]).map(r => r.id);
  }

  /** retryIds for many roots in one query, keyed by root id. */
  retryIdsMany(rootIds: string[]): Map<string, string[]> {
    const out = new Map<string, string[]>();
    if (rootIds.length === 0) return out;
    const rows = this.db
      .prepare(
        `SELECT retry_parent AS root, id FROM jobs
         WHERE retry_parent IN (SELECT value FROM json_each(?)) ORDER BY attempt`
      )
      .all(JSON.stringify(rootIds)) as { root: string; id: string }[];
    for (const r of rows) {
      const list = out.get(r.root);
      if (list) list.push(r.id);
      else out.set(r.root, [r.id]);
    }
    return out;
  }

  byBatch(batchId: string): JobRow[] {
    return this.byBatchStmt.all(batchId) as JobRow[];
  }

  private updateStmts = new Map<string, Stmt>();

  /** Patch arbitrary columns of one job. Column names come from code, never from input. */
  update(id: string, patch: Partial<JobRow>): void {
    const keys = Object.keys(patch);
    if (keys.length === 0) return;
    const shape = keys.join(',');
    let stmt = this.updateStmts.get(shape);
    if (!stmt) {
      stmt = this.db.prepare(
        `UPDATE jobs SET ${keys.map(k => `${k} = @${k}`).join(', ')} WHERE id = @id`
      ) as Stmt;
      this.updateStmts.set(shape, stmt);
    }
    stmt.run({ ...patch, id });
  }

  active(): JobRow[] {
    return this.db
      .prepare(`SELECT * FROM jobs WHERE status IN ('created','queued','running') AND is_batch = 0`)
      .all() as JobRow[];
  }
}
