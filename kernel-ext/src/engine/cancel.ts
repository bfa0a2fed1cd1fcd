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
import type { Engine } from './engine';

export function cancel(
  engine: Engine,
  actor: Actor,
  id: string,
  opts: ActOptions = {}
): JobRecord | BatchRecord {
  const row = engine.row(actor, id, opts);
  if (row.is_batch) return cancelBatch(engine, actor, id, opts);
  if (isTerminal(row.status)) return engine.record(row);
  const ended = engine.life.commit(() => {
    const cur = engine.store.jobs.get(id)!;
    if (isTerminal(cur.status)) return cur;
    return engine.life.terminate(cur, actingCode(actor, cur), 'cancelled');
  });
  void engine.tracker.cancelAtBackend([ended]);
  engine.dispatcher.kick();
  return engine.record(engine.store.jobs.get(id)!);
}

export function cancelBatch(
  engine: Engine,
  actor: Actor,
  id: string,
  opts: ActOptions = {}
): BatchRecord {
  const parent = engine.row(actor, id, opts);
  const code = actingCode(actor, parent);
  const ended: JobRow[] = [];
  engine.life.commit(() => {
    const b = engine.store.batches.get(id)!;
    const children = engine.store.jobs.byBatch(id).filter(c => !isTerminal(c.status));
    if (children.length === 0 && isTerminal(engine.store.jobs.get(id)!.status)) return;
    engine.store.batches.update(id, { cancelled: code });
    if (!b.cancelled) engine.store.jobs.update(id, { terminated_code: code });
    for (const c of children)
      ended.push(engine.life.terminate(c, 'batch_abort', 'batch cancelled'));
    engine.life.markBatchDirty(id);
  });
  // A dynamic fan-out parent whose process still runs is stopped too.
  const p = engine.store.jobs.get(id)!;
  const toStop = p.submit_state === 'done' ? [...ended, p] : ended;
  void engine.tracker.cancelAtBackend(toStop);
  engine.dispatcher.kick();
  return engine.getBatch(actor, id, opts);
}
