/**
 * The Status tab's bulk actions (src/cell/status/ActionBar.tsx): which rows each one
 * concerns, when its button is enabled, its confirmation title, and how it is sent to
 * the server with the message the user sees afterwards.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import type { BatchCounts, JobRecord, JobStatus, RetryResult } from '../api/types';
import { isTerminal } from '../api/types';

export type BulkKind =
  | 'cancel-queued'
  | 'cancel-running'
  | 'retry-failed'
  | 'retry-cancelled'
  | 'cancel-batch';

/** The toolbar's buttons, left to right. */
export const BULK_KINDS: readonly BulkKind[] = [
  'cancel-queued',
  'cancel-running',
  'retry-failed',
  'retry-cancelled',
  'cancel-batch',
];

/** At most this many per-row cancel requests are in flight at once. */
const CANCEL_CONCURRENCY = 8;

/** Cancelling stops work (confirmed as danger); retrying does not. */
export const isCancel = (kind: BulkKind): boolean => kind.startsWith('cancel');

/** The row states each action applies to; cancelling the batch stops every unfinished row. */
function concerns(kind: BulkKind, status: JobStatus): boolean {
  switch (kind) {
    case 'cancel-queued':
      return status === 'created' || status === 'queued';
    case 'cancel-running':
      return status === 'running';
    case 'retry-failed':
      return status === 'error';
    case 'retry-cancelled':
      return status === 'terminated';
    case 'cancel-batch':
      return !isTerminal(status);
  }
}

/** The rows an action applies to, from the rows as the view has them. */
export function bulkTargets(rows: readonly (JobRecord | undefined)[], kind: BulkKind): JobRecord[] {
  return rows.filter((r): r is JobRecord => !!r && concerns(kind, r.status));
}

/** Whether an action has anything to do, by the batch's counts and status. */
export function bulkEnabled(kind: BulkKind, counts: BatchCounts, batchStatus: JobStatus): boolean {
  switch (kind) {
    case 'cancel-queued':
      return !!(counts.created + counts.queued);
    case 'cancel-running':
      return !!counts.running;
    case 'retry-failed':
      return !!counts.error;
    case 'retry-cancelled':
      return !!counts.terminated;
    case 'cancel-batch':
      return !isTerminal(batchStatus);
  }
}

export function bulkLabel(kind: BulkKind, trans: TranslationBundle): string {
  switch (kind) {
    case 'cancel-queued':
      return trans.__('Cancel queued');
    case 'cancel-running':
      return trans.__('Cancel running');
    case 'retry-failed':
      return trans.__('Retry failed');
    case 'retry-cancelled':
      return trans.__('Retry cancelled');
    case 'cancel-batch':
      return trans.__('Cancel batch');
  }
}

/** The confirmation's title for an action over `n` rows. */
export function bulkTitle(kind: BulkKind, n: number, trans: TranslationBundle): string {
  switch (kind) {
    case 'cancel-queued':
      return trans._n('Cancel %1 waiting or queued task?', 'Cancel %1 waiting or queued tasks?', n);
    case 'cancel-running':
      return trans._n('Cancel %1 running task?', 'Cancel %1 running tasks?', n);
    case 'retry-failed':
      return trans._n('Retry %1 failed task?', 'Retry %1 failed tasks?', n);
    case 'retry-cancelled':
      return trans._n('Retry %1 cancelled task?', 'Retry %1 cancelled tasks?', n);
    case 'cancel-batch':
      return trans.__('Cancel the whole batch?');
  }
}

/** Runs `fn` over items with at most `n` in flight; resolves with how many failed. */
export async function pool<T>(
  items: readonly T[],
  n: number,
  fn: (t: T) => Promise<unknown>
): Promise<number> {
  let failed = 0;
  let i = 0;
  const worker = async () => {
    while (i < items.length) {
      const t = items[i++];
      try {
        await fn(t);
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return failed;
}

/** "2 of 5 retries refused; first: …", or undefined when the server took them all. */
export function retryRefusedText(
  results: readonly RetryResult[],
  trans: TranslationBundle
): string | undefined {
  const errs = results.filter(x => 'error' in x);
  if (!errs.length) {
    return undefined;
  }
  const e = (errs[0] as { error: unknown }).error;
  const msg = typeof e === 'string' ? e : (e as { message: string }).message;
  return trans.__('%1 of %2 retries refused; first: %3', errs.length, results.length, msg);
}

/** What the bulk actions need of src/api/client.ts. */
export interface BulkClient {
  cancelBatch(id: string): Promise<unknown>;
  cancelJob(id: string): Promise<unknown>;
  retryBatch(id: string, statuses?: JobStatus[]): Promise<{ results: RetryResult[] }>;
}

/**
 * Sends an action: the batch is cancelled or retried by status in one request, queued
 * or running rows are cancelled one by one (src/api/client.ts cancels one job or the
 * whole batch).
 * Resolves with a message for the user when part of it failed.
 */
export async function runBulk(
  client: BulkClient,
  batchId: string,
  rows: readonly (JobRecord | undefined)[],
  kind: BulkKind,
  trans: TranslationBundle
): Promise<string | undefined> {
  switch (kind) {
    case 'cancel-batch':
      await client.cancelBatch(batchId);
      return undefined;
    case 'cancel-queued':
    case 'cancel-running': {
      const failed = await pool(bulkTargets(rows, kind), CANCEL_CONCURRENCY, j =>
        client.cancelJob(j.id)
      );
      return failed ? trans.__('%1 could not be cancelled', failed) : undefined;
    }
    case 'retry-failed':
    case 'retry-cancelled': {
      const r = await client.retryBatch(batchId, [
        kind === 'retry-failed' ? 'error' : 'terminated',
      ]);
      return retryRefusedText(r.results, trans);
    }
  }
}
