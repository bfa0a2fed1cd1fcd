/**
 * A job's own report of its start or exit: wrapper.sh posts it over BULKRUN_URL with the
 * job's token, so a scheduler's job shows `running` and its end at once rather than at the
 * next poll. A report is only a hint to look now: the server reads the work dir's records
 * as the poll does and applies them through the same Tracker.apply, so a report repeated,
 * late, forged or lost changes nothing the poll would not (docs/SEMANTICS.md "Reports
 * from jobs"). Polling stays the backstop.
 */
import type { JobReport } from '../backends/base';
import { ApiError } from '../protocol/errors';
import type { Actor } from './access';
import type { Core } from './core';
import { visibleRow } from './records';
import type { Tracker } from './tracker';

export const JOB_REPORTS: readonly JobReport[] = ['started', 'exited'];

export interface ReportResult {
  /** Whether the report changed the job now (false: nothing new, or left to the poll). */
  applied: boolean;
}

export function reportFromJob(
  parts: { core: Core; tracker: Pick<Tracker, 'applyReport'> },
  actor: Actor,
  id: string,
  body: unknown
): ReportResult {
  const event = (body as { event?: unknown } | null)?.event;
  if (
    typeof body !== 'object' ||
    body === null ||
    Array.isArray(body) ||
    !JOB_REPORTS.includes(event as JobReport) ||
    Object.keys(body).some(k => k !== 'event')
  ) {
    throw new ApiError('validation_failed', 'Body must be {"event": "started" | "exited"}', [
      { row: null, field: 'event', message: `must be one of ${JOB_REPORTS.join(', ')}` },
    ]);
  }
  // A job's token reports its own job only; a user's token may nudge any of its jobs.
  if (actor.jobId && actor.jobId !== id)
    throw new ApiError('forbidden', 'A job token can only report its own job');
  const row = visibleRow(parts.core.store, actor, id);
  return { applied: parts.tracker.applyReport(row, event as JobReport) };
}
