/**
 * Cancel: a job, or a batch (every non-terminal row and the pending fan-in; children get
 * terminatedCode `batch_abort`). Cancelling a terminal job is a no-op. The record turns
 * `terminated` at once (and frees its slot); the scheduler is told afterwards, and a job
 * the scheduler no longer knows is not an error. A batch's rows end in chunks
 * (CANCEL_CHUNK, then sized by chunks.ts); its answer comes once all have.
 */
import type { BatchRecord, JobRecord } from '../protocol/records';
import { isTerminal } from '../protocol/records';
import type { JobRow } from '../store/rows';
import { type Actor, type ActOptions, actingCode } from './access';
import { ChunkSizer, yieldLoop } from './chunks';
import type { Parts } from './core';
import { toRecord, visibleBatchInParts, visibleRow } from './records';

export async function cancel(
  parts: Parts,
  actor: Actor,
  id: string,
  opts: ActOptions = {}
): Promise<JobRecord | BatchRecord> {
  const { core, effects } = parts;
  const { store, life } = core;
  const row = visibleRow(store, actor, id, opts);
  if (row.is_batch) return cancelBatch(parts, actor, id, opts);
  if (isTerminal(row.status)) return toRecord(store, row);
  const ended = life.commit(() => {
    const cur = store.jobs.get(id)!;
    if (isTerminal(cur.status)) return cur;
    return life.terminate(cur, actingCode(actor, cur), 'cancelled');
  });
  void effects.cancelAtBackend([ended]);
  effects.kick();
  return toRecord(store, store.jobs.get(id)!);
}

/**
 * Rows ended in a batch cancel's first transaction. Each costs about 80 µs here (the
 * update, its event, the counts) and as much again per 10 connections watching, so the
 * next chunks are sized to the time they take (chunks.ts): requests, job exits and
 * WebSocket frames go between chunks, and a 100,000-row cancel does not stall the server
 * (docs/SEMANTICS.md "Cancel"). The first chunk runs in the request itself, before the
 * sizer knows what rows cost: small enough for 50 connections (about 70 ms then).
 */
export const CANCEL_CHUNK = 150;

export async function cancelBatch(
  parts: Parts,
  actor: Actor,
  id: string,
  opts: ActOptions = {}
): Promise<BatchRecord> {
  const { core, effects } = parts;
  const { store, life } = core;
  const parent = visibleRow(store, actor, id, opts);
  const code = actingCode(actor, parent);
  // A fan-out parent whose own process still runs is stopped too (this one or a row's).
  const processRuns = parent.submit_state === 'done';
  const ended: JobRow[] = [];
  let open = false;
  // First, in one transaction: the batch is cancelled (from here the dispatcher starts
  // none of its rows, store/queue.ts) and what its rows fanned out ends.
  life.commit(() => {
    const b = store.batches.get(id)!;
    open = b.n_created + b.n_queued + b.n_running > 0 || store.jobs.openOthers(id).length > 0;
    if (!open && isTerminal(store.jobs.get(id)!.status)) return;
    ended.push(...abortBelow(core, id, 'batch cancelled'));
    store.batches.update(id, { cancelled: code });
    if (!b.cancelled) store.jobs.update(id, { terminated_code: code });
    life.markBatchDirty(id);
  });
  const toStop = processRuns ? [...ended, store.jobs.get(id)!] : ended;
  if (toStop.length) void effects.cancelAtBackend(toStop);
  if (open) await endCancelledRows(parts, id);
  effects.kick();
  return visibleBatchInParts(store, actor, id, opts);
}

/**
 * Ends the open rows of a cancelled batch with `batch_abort`, a chunk per transaction
 * (sized by chunks.ts), yielding between chunks; the scheduler is told after each. Stops early when the batch is
 * no longer cancelled (a retry reopened it). Also how the engine finishes, at start, a
 * cancel that a stopped server left part done (store/jobs.ts interruptedCancels).
 */
export async function endCancelledRows({ core, effects }: Parts, id: string): Promise<void> {
  const { store, life } = core;
  const sizer = new ChunkSizer(CANCEL_CHUNK);
  let fromIdx = 0;
  for (;;) {
    const ended: JobRow[] = [];
    let more = false;
    const t0 = performance.now();
    const size = sizer.next;
    life.commit(() => {
      if (!store.batches.get(id)?.cancelled) return;
      const rows = store.jobs.openTasksFrom(id, fromIdx, size);
      more = rows.length === size;
      // The fan-in (and any other non-row job) last, with the final chunk.
      if (!more) rows.push(...store.jobs.openOthers(id));
      for (const c of rows) {
        if (c.idx !== null && c.role === 'task') fromIdx = c.idx;
        ended.push(life.terminate(c, 'batch_abort', 'batch cancelled'));
      }
      life.markBatchDirty(id);
    });
    if (ended.length) void effects.cancelAtBackend(ended);
    // The commit's time includes publishing its events to every connection.
    sizer.took(ended.length, performance.now() - t0);
    if (!more || core.storage.full) return;
    await yieldLoop();
  }
}

/**
 * Ends every open row of the sub-batches below `batchId` with `batch_abort`, deepest first,
 * so no row outlives the row that made it (docs/SEMANTICS.md "Nested fan-out"). Inside a
 * commit; answers the rows it ended (for the scheduler to be told).
 */
export function abortBelow(
  core: Pick<Parts['core'], 'store' | 'life'>,
  batchId: string,
  why: string
): JobRow[] {
  const { store, life } = core;
  const ended: JobRow[] = [];
  for (const sub of store.jobs.subBatches(batchId).reverse()) {
    const rows = store.jobs.byBatch(sub).filter(c => !isTerminal(c.status));
    if (rows.length === 0) continue;
    store.batches.update(sub, { cancelled: 'batch_abort' });
    for (const c of rows) ended.push(life.terminate(c, 'batch_abort', why));
    life.markBatchDirty(sub);
  }
  return ended;
}
