/**
 * A batch parent's status is derived, never set (PRODUCT.md, States):
 * running while any row or the fan-in is not terminal; completed when every row and the
 * fan-in completed; error when all are terminal and some row or the fan-in ended in error;
 * terminated when cancelled. A retry of a row makes an ended batch running again.
 */
import type { JobStatus } from '../protocol/records';
import { isTerminal } from '../protocol/records';
import type { BatchRow, JobRow } from '../store/rows';

export function rowsPending(b: BatchRow): number {
  return b.n_created + b.n_queued + b.n_running;
}

/** True when the rows allow the fan-in to start and it has not been created yet. */
export function fanInDue(b: BatchRow): boolean {
  if (!b.fan_in || b.fan_in_job_id || b.cancelled) return false;
  if (b.total === 0 || rowsPending(b) > 0) return false;
  const when = (JSON.parse(b.fan_in) as { when?: string }).when ?? 'all_completed';
  return when === 'all_finished' || b.n_completed === b.total;
}

export function deriveBatchStatus(b: BatchRow, parent: JobRow, fanIn: JobRow | null): JobStatus {
  // A dynamic fan-out parent is still running while its own process runs.
  if (parent.submit_state === 'intent' || parent.submit_state === 'done') return 'running';
  if (rowsPending(b) > 0) return 'running';
  if (fanIn && !isTerminal(fanIn.status)) return 'running';
  if (b.fan_in && !fanIn && fanInDue(b)) return 'running';
  if (b.cancelled) return 'terminated';
  if (b.n_error > 0 || fanIn?.status === 'error') return 'error';
  if (b.n_completed === b.total && (!b.fan_in || fanIn?.status === 'completed')) return 'completed';
  return 'terminated';
}
