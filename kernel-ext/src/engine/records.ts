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
import { yieldLoop } from './chunks';
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

/**
 * The record of a row: retryIds on a root only; a batch parent's with its childJobIds
 * (`childJobIds` when the caller read them already: recordInParts).
 */
export function toRecord(
  store: Store,
  row: JobRow,
  childJobIds?: string[]
): JobRecord | BatchRecord {
  const retryIds = row.retry_parent ? [] : store.attempts.retryIds(row.id);
  const rec = toJobRecord(row, retryIds);
  if (!row.is_batch) return rec;
  const b = store.batches.get(row.id)!;
  return toBatchRecord(withChildren(rec, row, b), b, childJobIds ?? store.jobs.idsOfBatch(row.id));
}

/**
 * Rows whose ids one part of recordInParts reads: a few ms here, so a batch of 100,000
 * rows with a retry each (200,000 ids) goes in 10 parts instead of one read of 70 ms or
 * more (docs/BENCHMARKS.md "Under load").
 */
export const IDS_PART_ROWS = 10000;

/**
 * toRecord for answers that may carry a big batch (GET /batches/{id}, GET /jobs/{id},
 * a batch cancel): a batch parent's childJobIds are read IDS_PART_ROWS rows at a time,
 * yielding between parts, so requests, exits and events go between them. A row retried
 * while it reads may show its new attempt or not; its event follows either way, and the
 * snapshot's `bulkrun-seq` was read before (docs/ARCHITECTURE.md).
 */
export async function recordInParts(store: Store, row: JobRow): Promise<JobRecord | BatchRecord> {
  const b = row.is_batch ? store.batches.get(row.id) : undefined;
  if (!b || b.total <= IDS_PART_ROWS) return toRecord(store, row);
  const ids: string[] = [];
  for (let from = 0; from < b.total; from += IDS_PART_ROWS) {
    for (const id of store.jobs.idsOfBatchPart(row.id, from, from + IDS_PART_ROWS)) ids.push(id);
    await yieldLoop();
  }
  for (const id of store.jobs.idsOfBatchPart(row.id, 0, null)) ids.push(id);
  // The record itself as it is after the parts (gone only if pruned meanwhile).
  const now = store.jobs.get(row.id);
  if (!now || !store.batches.get(row.id)) throw notFound(row.id);
  return toRecord(store, now, ids);
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

/** visibleBatch, its childJobIds read in parts (recordInParts). */
export async function visibleBatchInParts(
  store: Store,
  actor: Actor,
  id: string,
  opts: ActOptions = {}
): Promise<BatchRecord> {
  const row = visibleRow(store, actor, id, opts);
  if (!row.is_batch) throw new ApiError('not_found', `Batch ${id} not found`);
  return (await recordInParts(store, row)) as BatchRecord;
}
