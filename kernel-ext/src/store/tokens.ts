/**
 * Job-scoped tokens (BULKRUN_TOKEN inside a running job, server/auth.ts). A token is
 * minted when the job is claimed for submission (store/slots.ts) and cleared when the
 * job ends (engine/lifecycle.ts), so it answers only while the job is not terminal.
 */
import type { DB, Stmt } from './db';

export class TokenQueries {
  private readonly liveJobStmt: Stmt;

  constructor(db: DB) {
    // Served by the partial index jobs_token (001_init.sql).
    this.liveJobStmt = db.prepare(
      // `created` too: a job can start before its submission's outcome is recorded.
      "SELECT id, owner FROM jobs WHERE job_token = ? AND status IN ('created','queued','running')"
    );
  }

  /** The unfinished job holding this token, if any. */
  liveJob(token: string): { id: string; owner: string } | undefined {
    return this.liveJobStmt.get(token) as { id: string; owner: string } | undefined;
  }
}
