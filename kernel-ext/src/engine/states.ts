/**
 * The job lifecycle, in one place:
 *   created → queued → running → completed | error | terminated
 * Any non-terminal state may also end directly in error or terminated (submit failure,
 * cancel before start); a backend may report `running` or a terminal state without us
 * having seen the intermediate ones (fast jobs between two polls). Terminal states are final.
 */
import type { JobStatus } from '../protocol/records';
import { isTerminal } from '../protocol/records';

const ORDER: Record<JobStatus, number> = {
  created: 0,
  queued: 1,
  running: 2,
  completed: 3,
  error: 3,
  terminated: 3,
};

export function canTransition(from: JobStatus, to: JobStatus): boolean {
  if (isTerminal(from)) return false;
  if (from === to) return false;
  return ORDER[to] > ORDER[from];
}

export class InvalidTransition extends Error {
  constructor(
    readonly jobId: string,
    readonly from: JobStatus,
    readonly to: JobStatus
  ) {
    super(`Job ${jobId}: invalid transition ${from} → ${to}`);
  }
}
