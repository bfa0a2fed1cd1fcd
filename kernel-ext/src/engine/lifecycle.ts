/**
 * Every state change goes through here, inside a transaction: the job row, its batch's
 * effective-row counts, the batch parent's derived status, the fan-in trigger and the
 * persisted events are written together. Events reach subscribers only after commit.
 */
import type { BatchEvent, JobEvent } from '../protocol/events';
import type { JobRecord, JobStatus, TerminatedCode } from '../protocol/records';
import { isTerminal } from '../protocol/records';
import type { Store } from '../store';
import type { BatchRow, JobRow } from '../store/rows';
import { countsOf, iso } from '../store/rows';
import { SLOT_FREED } from '../store/slots';
import type { EventBus, Published } from './bus';
import { canTransition, InvalidTransition } from './states';
import { deriveBatchStatus, fanInDue, fanInRerunDue } from './batch-status';

/** Column → record field, for "changed fields" in job events. */
const FIELD: Partial<Record<keyof JobRow, [keyof JobRecord, (v: any) => unknown]>> = {
  backend_job_id: ['backendJobId', v => v],
  queued_at: ['queuedAt', iso],
  started_at: ['startedAt', iso],
  finished_at: ['finishedAt', iso],
  exit_code: ['exitCode', v => v],
  terminated_code: ['terminatedCode', v => v],
  priority: ['priority', v => v],
  output: ['output', v => (v === null ? null : JSON.parse(v))],
  resources: ['resources', v => JSON.parse(v)],
  usage: ['usage', v => (v === null ? null : JSON.parse(v))],
};

/** How a batch's fan-in is written when refreshBatch finds it due (fan-in.ts); inside the commit. */
export interface FanIns {
  /** Creates the fan-in job of a batch whose rows are done; null when there is none to create. */
  create(batch: BatchRow, parent: JobRow): JobRow | null;
  /** Writes the next attempt of a fan-in whose inputs changed after it started. */
  rerun(batch: BatchRow, fanIn: JobRow): JobRow;
}

export class Lifecycle {
  private pending: Published[] = [];
  private dirtyBatches = new Set<string>();

  constructor(
    readonly store: Store,
    private readonly bus: EventBus,
    private readonly fanIns: FanIns
  ) {}

  /** Runs fn in a transaction and publishes the events it produced once committed. */
  commit<T>(fn: () => T): T {
    let result: T;
    try {
      result = this.store.tx(() => {
        const r = fn();
        // One batch refresh per batch per commit, however many rows changed.
        while (this.dirtyBatches.size > 0) {
          const ids = [...this.dirtyBatches];
          this.dirtyBatches.clear();
          for (const id of ids) this.refreshBatch(id);
        }
        return r;
      });
    } catch (e) {
      this.pending = [];
      this.dirtyBatches.clear();
      throw e;
    }
    const out = this.pending;
    this.pending = [];
    this.bus.publish(out);
    return result;
  }

  /** Moves a job to `to` (which must be a legal transition) and applies the consequences. */
  transition(row: JobRow, to: JobStatus, patch: Partial<JobRow> = {}, reason?: string): JobRow {
    if (!canTransition(row.status, to)) throw new InvalidTransition(row.id, row.status, to);
    const now = Date.now();
    const full: Partial<JobRow> = { ...patch, status: to };
    if (to === 'queued' && row.queued_at === null && full.queued_at === undefined)
      full.queued_at = now;
    if (to === 'running' && row.started_at === null && full.started_at === undefined)
      full.started_at = now;
    if (isTerminal(to)) {
      if (full.finished_at === undefined) full.finished_at = now;
      // An ended job gives its slot back and its job token stops working, in this UPDATE.
      Object.assign(full, SLOT_FREED);
      full.job_token = null;
      // An attempt that ends (cancelled before the scheduler had it, say) ends its retry
      // lifecycle in this same commit: nothing is left for the reaper to finish.
      if (row.retry_complete === 0) full.retry_complete = 1;
    }
    this.store.jobs.update(row.id, full);
    const next = { ...row, ...full } as JobRow;
    this.emitJob(next, full, reason);
    if (next.batch_id && next.is_latest && next.role === 'task') {
      this.store.batches.shiftCount(next.batch_id, row.status, to);
    }
    if (next.batch_id) this.dirtyBatches.add(next.batch_id);
    if (to === 'terminated' && row.is_batch) this.endSubBatch(row.id, full.terminated_code);
    return next;
  }

  /**
   * A terminated row that fanned out takes its sub-batch with it: the sub-batch counts as
   * cancelled, so the row's status (derived, batch-status.ts) stays terminated while its
   * own process is being stopped. Callers end the sub-batch's open rows first (cancel.ts
   * abortBelow).
   */
  private endSubBatch(id: string, code: string | null | undefined): void {
    const b = this.store.batches.get(id);
    if (b && !b.cancelled) this.store.batches.update(id, { cancelled: code ?? 'batch_abort' });
    this.dirtyBatches.add(id);
  }

  /** Patches a job without a state change (backend id, priority) and emits its changed fields. */
  patch(row: JobRow, patch: Partial<JobRow>, reason?: string): JobRow {
    this.store.jobs.update(row.id, patch);
    const next = { ...row, ...patch } as JobRow;
    if (Object.keys(patch).some(k => k in FIELD)) this.emitJob(next, patch, reason);
    return next;
  }

  terminate(row: JobRow, code: TerminatedCode, reason?: string): JobRow {
    return this.transition(row, 'terminated', { terminated_code: code }, reason);
  }

  emitJob(row: JobRow, changed: Partial<JobRow>, reason?: string): void {
    const job = jobHead(row);
    for (const k of Object.keys(changed) as (keyof JobRow)[]) {
      const f = FIELD[k];
      if (f) (job as any)[f[0]] = f[1](row[k]);
    }
    if ('error_code' in changed) {
      job.error = row.error_code
        ? { code: row.error_code, message: row.error_message ?? '' }
        : null;
    }
    const body: Omit<JobEvent, 'seq'> = { type: 'job', job };
    if (reason) body.reason = reason;
    this.appendJobEvent(row, body);
  }

  private appendJobEvent(row: JobRow, body: Omit<JobEvent, 'seq'>): void {
    const event = this.store.events.append<JobEvent>(row.owner, row.batch_id, row.id, body);
    this.pending.push({ owner: row.owner, batchId: row.batch_id, jobId: row.id, event });
  }

  markBatchDirty(batchId: string): void {
    this.dirtyBatches.add(batchId);
  }

  /**
   * Re-derives a batch parent's status from its counts, fan-in and (for dynamic fan-out)
   * the parent's own process; starts the fan-in when due; emits one batch event.
   */
  refreshBatch(batchId: string): void {
    const batch = this.store.batches.get(batchId);
    const parent = this.store.jobs.get(batchId);
    if (!batch || !parent) return;
    let fanIn = batch.fan_in_job_id ? this.store.attempts.latest(batch.fan_in_job_id) : null;
    if (!fanIn && fanInDue(batch)) {
      const created = this.fanIns.create(batch, parent);
      if (created) {
        this.store.batches.update(batchId, { fan_in_job_id: created.id });
        batch.fan_in_job_id = created.id;
        fanIn = created;
      }
    }
    if (fanIn && fanInRerunDue(batch, fanIn)) {
      fanIn = this.fanIns.rerun(batch, fanIn);
      batch.fan_in_stale = 0;
    }
    const status = deriveBatchStatus(batch, parent, fanIn);
    // Ended while its own process still ran (a cancel): the record no longer waits for that
    // process, so a later retry below it is not held up by an exit that is never polled.
    if (isTerminal(status) && parent.submit_state === 'done') {
      this.store.jobs.update(batchId, { submit_state: 'exited' });
      parent.submit_state = 'exited';
    }
    const patch: Partial<JobRow> = {};
    if (status !== parent.status) {
      patch.status = status;
      if (isTerminal(status)) {
        patch.finished_at = Date.now();
        if (status === 'terminated' && !parent.terminated_code) {
          patch.terminated_code = (batch.cancelled as TerminatedCode) ?? 'user';
        }
      } else {
        patch.finished_at = null;
        patch.terminated_code = null;
      }
      if (status === 'running' && parent.started_at === null) patch.started_at = Date.now();
      if (parent.batch_id) Object.assign(patch, this.rowOutcome(batch, parent, fanIn, status));
      this.store.jobs.update(batchId, patch);
      this.emitJob({ ...parent, ...patch } as JobRow, patch);
      // A row that fanned out counts in its own batch by its sub-batch's state.
      if (parent.batch_id) {
        if (parent.is_latest && parent.role === 'task')
          this.store.batches.shiftCount(parent.batch_id, parent.status, status);
        if (isTerminal(parent.status) && !isTerminal(status)) this.reopened(parent);
        this.dirtyBatches.add(parent.batch_id);
      }
    }
    // Inline progress for whoever follows the row's batch (its events carry that id).
    if (parent.batch_id) this.emitChildren({ ...parent, ...patch } as JobRow, batch);
    const event = this.store.events.append<BatchEvent>(parent.owner, batchId, batchId, {
      type: 'batch',
      batch: {
        id: batchId,
        status,
        counts: countsOf(batch),
        total: batch.total,
        fanInJobId: batch.fan_in_job_id,
      },
    });
    this.pending.push({ owner: parent.owner, batchId, jobId: batchId, event });
  }

  /**
   * What a row that fanned out shows when its sub-batch settles (docs/SEMANTICS.md
   * "Nested fan-out"): its output is the sub-batch's fan-in output, or without one the
   * list of its rows' outputs in order; an error says which part failed.
   */
  private rowOutcome(
    batch: BatchRow,
    row: JobRow,
    fanIn: JobRow | null,
    status: JobStatus
  ): Partial<JobRow> {
    if (status === 'completed') {
      const output = fanIn
        ? fanIn.output
        : JSON.stringify(this.store.attempts.latestOutputs(batch.id));
      return { output, error_code: null, error_message: null };
    }
    // The row's own process failed after fanning out: its error stands (tracker.ts).
    if (row.error_code && row.submit_state === 'exited' && row.exit_code) return {};
    if (status === 'error') {
      const message =
        fanIn?.status === 'error'
          ? `its sub-batch's fan-in failed: ${fanIn.error_message ?? fanIn.error_code}`
          : `${batch.n_error} of ${batch.total} rows of its sub-batch failed`;
      return { error_code: 'sub_batch_failed', error_message: message };
    }
    return isTerminal(status) ? {} : { error_code: null, error_message: null, output: null };
  }

  /**
   * A finished row whose sub-batch runs again (a leaf was retried): its batch's fan-in,
   * if it already read the row's outcome, runs again once the rows settle, as after a
   * retry of the row (engine/retry.ts newAttempt).
   */
  private reopened(row: JobRow): void {
    const b = this.store.batches.get(row.batch_id!);
    if (!b) return;
    if (b.cancelled) this.store.batches.update(b.id, { cancelled: null });
    if (b.fan_in_job_id && !b.fan_in_stale && row.role === 'task') {
      const fanIn = this.store.attempts.latest(b.fan_in_job_id);
      if (fanIn && (fanIn.status !== 'created' || fanIn.submit_state !== null))
        this.store.batches.update(b.id, { fan_in_stale: 1 });
    }
  }

  private emitChildren(row: JobRow, b: BatchRow): void {
    const job = jobHead(row);
    job.children = { total: b.total, counts: countsOf(b), fanInJobId: b.fan_in_job_id };
    this.appendJobEvent(row, { type: 'job', job });
  }
}

/** The fields every job event carries, whatever changed. */
function jobHead(row: JobRow): JobEvent['job'] {
  return {
    id: row.id,
    status: row.status,
    batchId: row.batch_id,
    index: row.idx,
    role: row.role,
    attempt: row.attempt,
    retryParent: row.retry_parent,
  };
}
