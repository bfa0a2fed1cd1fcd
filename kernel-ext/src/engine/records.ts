/**
 * Rows as the API shows them: a visible row by id (others' rows are 404, never 403:
 * access.ts) and its record, with retry links and, for a batch parent, its batch fields.
 */
import { ApiError } from '../protocol/errors';
import type { BatchRecord, JobRecord } from '../protocol/records';
import type { Store } from '../store';
import type { BatchRow, JobRow } from '../store/rows';
import { countsOf, toBatchRecord, toJobRecord } from '../store/rows';
import { type Actor, type ActOptions, canSee, notFound } from './access';
import { ID_PATTERN } from './ids';

/** The visible row, or a 404 naming the id. */
export function visibleRow(store: Store, actor: Actor, id: string, opts: ActOptions = {}): JobRow {
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) {
    throw new ApiError('not_found', `Job ${String(id).slice(0, 64)} not found`);
  }
  const row = store.jobs.get(id);
  if (!row || !canSee(actor, row, opts)) throw notFound(id);
  return row;
}

/** The record of a row: retryIds on a root only; a batch parent's with its childJobIds. */
export function toRecord(store: Store, row: JobRow): JobRecord | BatchRecord {
  const retryIds = row.retry_parent ? [] : store.attempts.retryIds(row.id);
  const rec = toJobRecord(row, retryIds);
  if (!row.is_batch) return rec;
  const b = store.batches.get(row.id)!;
  return toBatchRecord(withChildren(rec, row, b), b, store.jobs.idsOfBatch(row.id));
}

/**
 * A row that fanned out (docs/SEMANTICS.md "Nested fan-out") carries its sub-batch's
 * size and counts, so a list of rows shows each one's progress without another request.
 */
export function withChildren(rec: JobRecord, row: JobRow, b: BatchRow | undefined): JobRecord {
  if (!row.is_batch || !row.batch_id || !b) return rec;
  return { ...rec, children: { total: b.total, counts: countsOf(b), fanInJobId: b.fan_in_job_id } };
}

/** The visible batch's record, or a 404. */
export function visibleBatch(
  store: Store,
  actor: Actor,
  id: string,
  opts: ActOptions = {}
): BatchRecord {
  const row = visibleRow(store, actor, id, opts);
  if (!row.is_batch) throw new ApiError('not_found', `Batch ${id} not found`);
  return toRecord(store, row) as BatchRecord;
}
