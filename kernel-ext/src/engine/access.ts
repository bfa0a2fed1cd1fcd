/** Who is acting, and what they may see: owners see their own records; admins any, with as_admin. */
import { ApiError } from '../protocol/errors';
import type { JobRow } from '../store/rows';

export interface Actor {
  user: string;
  admin: boolean;
  /** Set for a job-scoped token (BULKRUN_TOKEN inside a running job). */
  jobId?: string;
  /** For a job token: whether record `id` is under the job (in what it fanned out, at any depth). */
  below?(id: string): boolean;
}

export interface ActOptions {
  asAdmin?: boolean;
}

export function canSee(
  actor: Actor,
  row: Pick<JobRow, 'id' | 'owner'>,
  opts: ActOptions = {}
): boolean {
  // A job's token (possibly third-party code) sees its own job and what it fanned out,
  // nothing else of its owner's (docs/SEMANTICS.md "Permissions").
  if (actor.jobId)
    return row.owner === actor.user && (row.id === actor.jobId || !!actor.below?.(row.id));
  return row.owner === actor.user || (actor.admin && opts.asAdmin === true);
}

/** Other users' records are invisible: 404, never 403, so ids can't be probed. */
export function notFound(id: string): ApiError {
  return new ApiError('not_found', `Job ${id} not found`);
}

export function actingCode(actor: Actor, row: JobRow): 'user' | 'admin' {
  return row.owner === actor.user ? 'user' : 'admin';
}
