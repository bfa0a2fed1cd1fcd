/**
 * When to say that a batch ended, and in what words: a batch seen unfinished in this
 * page that reaches a terminal state (live, or in the events replayed after a
 * reconnect). Batches that were already over when the page loaded say nothing.
 */
import type { BatchCounts, JobStatus } from '../api/types';
import { isTerminal } from '../api/types';

export class FinishWatcher {
  private last = new Map<string, JobStatus>();

  /** True when this event is the batch's move from unfinished to terminal. */
  ended(id: string, status: JobStatus): boolean {
    const prev = this.last.get(id);
    this.last.set(id, status);
    return prev !== undefined && !isTerminal(prev) && isTerminal(status);
  }
}

/** "Bulk run 'assembly' finished: 98 completed, 2 failed" (cancelled ones too). */
export function finishMessage(
  name: string,
  status: JobStatus,
  counts: BatchCounts,
  trans: { __: (s: string, ...a: unknown[]) => string }
): string {
  const parts = [trans.__('%1 completed', counts.completed)];
  if (counts.error) {
    parts.push(trans.__('%1 failed', counts.error));
  }
  if (counts.terminated) {
    parts.push(trans.__('%1 cancelled', counts.terminated));
  }
  const verb = status === 'terminated' ? trans.__('was cancelled') : trans.__('finished');
  return trans.__("Bulk run '%1' %2: %3", name, verb, parts.join(', '));
}
