/** Who is acting, and what they may see: owners see their own records; admins any, with as_admin. */
import { ApiError } from '../protocol/errors';
import type { JobRow } from '../store/rows';

export interface Actor {
  user: string;
  admin: boolean;
  /** Set for a job-scoped token (BULKRUN_TOKEN inside a running job). */
  jobId?: string;
}

export interface ActOptions {
  asAdmin?: boolean;
}

export function canSee(actor: Actor, row: JobRow, opts: ActOptions = {}): boolean {
  return row.owner === actor.user || (actor.admin && opts.asAdmin === true);
}

/** Other users' records are invisible: 404, never 403, so ids can't be probed. */
export function notFound(id: string): ApiError {
  return new ApiError('not_found', `Job ${id} not found`);
}

export function actingCode(actor: Actor, row: JobRow): 'user' | 'admin' {
  return row.owner === actor.user ? 'user' : 'admin';
}
