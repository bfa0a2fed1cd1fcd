/**
 * A batch parent's status is derived, never set (docs/SEMANTICS.md, "Batch status is derived"):
 * running while any row or the fan-in is not terminal; completed when every row and the
 * fan-in completed; error when all are terminal and some row or the fan-in ended in error;
 * terminated when cancelled. A retry of a row makes an ended batch running again; a row
 * retried after the fan-in ran makes the fan-in run again once the rows settle.
 */
import type { JobStatus } from '../protocol/records';
import { isTerminal } from '../protocol/records';
import type { BatchRow, JobRow } from '../store/rows';

export function rowsPending(b: BatchRow): number {
  return b.n_created + b.n_queued + b.n_running;
}

/** True when the rows allow a fan-in to run: none pending, and its policy is met. */
export function fanInPolicyMet(b: BatchRow): boolean {
  if (!b.fan_in || b.cancelled) return false;
  if (b.total === 0 || rowsPending(b) > 0) return false;
  const when = (JSON.parse(b.fan_in) as { when?: string }).when ?? 'all_completed';
  return when === 'all_finished' || b.n_completed === b.total;
}

/** True when the rows allow the fan-in to start and it has not been created yet. */
export function fanInDue(b: BatchRow): boolean {
  return !b.fan_in_job_id && fanInPolicyMet(b);
}

/**
 * True when the fan-in must run again: a row was retried after it started (its inputs
 * are out of date), it has ended, and the rows allow it again. The new run is a new
 * attempt of the fan-in, over the rows' newest outputs.
 */
export function fanInRerunDue(b: BatchRow, fanIn: JobRow | null): boolean {
  return !!b.fan_in_stale && !!fanIn && isTerminal(fanIn.status) && fanInPolicyMet(b);
}

export function deriveBatchStatus(b: BatchRow, parent: JobRow, fanIn: JobRow | null): JobStatus {
  // A dynamic fan-out parent is still running while its own process runs, unless it was
  // cancelled: then its record ends at once, as any cancelled job's does (engine/cancel.ts
  // stops the process afterwards).
  const processRuns = parent.submit_state === 'intent' || parent.submit_state === 'done';
  if (processRuns && !b.cancelled) return 'running';
  if (rowsPending(b) > 0) return 'running';
  if (fanIn && !isTerminal(fanIn.status)) return 'running';
  if (b.fan_in && !fanIn && fanInDue(b)) return 'running';
  if (fanInRerunDue(b, fanIn)) return 'running';
  // A fan-out job whose own process failed after fanning out: its error, not a cancel.
  if (parent.submit_state === 'exited' && parent.exit_code && parent.error_code) return 'error';
  if (b.cancelled) return 'terminated';
  if (b.n_error > 0 || fanIn?.status === 'error') return 'error';
  if (b.n_completed === b.total && (!b.fan_in || fanIn?.status === 'completed')) return 'completed';
  return 'terminated';
}
