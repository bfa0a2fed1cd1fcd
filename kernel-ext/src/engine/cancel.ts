/**
 * Cancel: a job, or a batch (every non-terminal row and the pending fan-in; children get
 * terminatedCode `batch_abort`). Cancelling a terminal job is a no-op. The record turns
 * `terminated` at once (and frees its slot); the scheduler is told afterwards, and a job
 * the scheduler no longer knows is not an error.
 */
import type { BatchRecord, JobRecord } from '../protocol/records';
import { isTerminal } from '../protocol/records';
import type { JobRow } from '../store/rows';
import { type Actor, type ActOptions, actingCode } from './access';
import type { Parts } from './core';
import { toRecord, visibleBatch, visibleRow } from './records';

export function cancel(
  parts: Parts,
  actor: Actor,
  id: string,
  opts: ActOptions = {}
): JobRecord | BatchRecord {
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

export function cancelBatch(
  { core, effects }: Parts,
  actor: Actor,
  id: string,
  opts: ActOptions = {}
): BatchRecord {
  const { store, life } = core;
  const parent = visibleRow(store, actor, id, opts);
  const code = actingCode(actor, parent);
  // A fan-out parent whose own process still runs is stopped too (this one or a row's).
  const processRuns = parent.submit_state === 'done';
  const ended: JobRow[] = [];
  life.commit(() => {
    const b = store.batches.get(id)!;
    const children = store.jobs.byBatch(id).filter(c => !isTerminal(c.status));
    if (children.length === 0 && isTerminal(store.jobs.get(id)!.status)) return;
    ended.push(...abortBelow(core, id, 'batch cancelled'));
    store.batches.update(id, { cancelled: code });
    if (!b.cancelled) store.jobs.update(id, { terminated_code: code });
    for (const c of children) {
      const cur = store.jobs.get(c.id)!;
      if (!isTerminal(cur.status))
        ended.push(life.terminate(cur, 'batch_abort', 'batch cancelled'));
    }
    life.markBatchDirty(id);
  });
  const toStop = processRuns ? [...ended, store.jobs.get(id)!] : ended;
  void effects.cancelAtBackend(toStop);
  effects.kick();
  return visibleBatch(store, actor, id, opts);
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
