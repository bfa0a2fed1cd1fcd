/**
 * Writing a big batch's rows after its 202 (docs/SEMANTICS.md "Submitting"). A POST writes
 * the batch, its first WRITE_CHUNK rows and the rest as one record (store/writes.ts) in one
 * transaction, answers, and the rows follow here, a chunk per transaction, with the
 * event loop's other work between chunks: 100,000 rows are some 1.5 s of inserts, and neither the answer nor
 * anyone else's request waits for them.
 *
 * Invariants: the batch's counts include its unwritten rows from the first commit, so its
 * status and fan-in never run ahead of them; a request naming the batch, or a row not yet
 * written, waits until every row is (`settled`), so no answer shows part of a batch; a
 * server that stops between chunks resumes at the next row (`resume`); a chunk that fails
 * for space waits in Storage and runs again when space returns.
 */
import type { JobRow } from '../store/rows';
import { endCancelledRows } from './cancel';
import { yieldLoop } from './chunks';
import type { Parts } from './core';
import { newJobRow } from './new-job';
import { isStorageFull } from './storage';

/** Rows per transaction: about 12 µs each here, so a chunk holds the loop some 25 ms. */
export const WRITE_CHUNK = 2000;

/** The columns every row of a batch shares. */
export interface RowTemplate {
  owner: string;
  app: string;
  app_version: string;
  /** JSON */
  resources: string;
  backend: string;
  priority: number;
  created_at: number;
  origin: string | null;
  parent_job_id: string | null;
}

/** Inserts rows [from, to) of a batch; inside a commit. */
export function insertRows(
  parts: Parts,
  batchId: string,
  tpl: RowTemplate,
  ids: string[],
  params: Record<string, unknown>[],
  from: number,
  to: number
): void {
  const { store, config } = parts.core;
  for (let i = from; i < to; i++) {
    store.jobs.insert(
      newJobRow(config.dataDir, {
        ...tpl,
        id: ids[i],
        batch_id: batchId,
        is_batch: 0,
        role: 'task',
        idx: i,
        params: JSON.stringify(params[i]),
        status: 'created',
      })
    );
  }
}

interface Writing {
  batchId: string;
  tpl: RowTemplate;
  ids: string[];
  params: Record<string, unknown>[];
  nextIdx: number;
  done: Promise<void>;
  release: () => void;
}

export class BatchWriter {
  private readonly writing = new Map<string, Writing>();
  private stopped = false;

  constructor(private readonly parts: Parts) {}

  /**
   * Inside createBatch's commit, after its first rows: records the batch as still to
   * write. Call `start` with the same arguments and the next row index once it committed.
   */
  record(
    batchId: string,
    tpl: RowTemplate,
    ids: string[],
    params: Record<string, unknown>[]
  ): void {
    this.parts.core.store.writes.insert({
      batch_id: batchId,
      template: JSON.stringify(tpl),
      ids: JSON.stringify(ids),
      params: JSON.stringify(params),
    });
  }

  start(
    batchId: string,
    tpl: RowTemplate,
    ids: string[],
    params: Record<string, unknown>[],
    nextIdx: number
  ): void {
    let release!: () => void;
    const done = new Promise<void>(r => (release = r));
    const w: Writing = { batchId, tpl, ids, params, nextIdx, done, release };
    this.writing.set(batchId, w);
    // After the answer is on its way (see step).
    setTimeout(() => this.step(w), 20);
  }

  /** At engine start: the batches a stopped server left part written. */
  resume(): void {
    const { store, log } = this.parts.core;
    for (const id of store.writes.open()) {
      const rec = store.writes.get(id)!;
      const nextIdx = store.writes.writtenUpTo(id);
      log.info({ batchId: id, nextIdx }, 'resuming the rows of a batch');
      this.start(
        id,
        JSON.parse(rec.template) as RowTemplate,
        JSON.parse(rec.ids) as string[],
        JSON.parse(rec.params) as Record<string, unknown>[],
        nextIdx
      );
    }
  }

  stop(): void {
    this.stopped = true;
    for (const w of this.writing.values()) w.release();
  }

  /** Every row id of a batch being written, by row index; undefined when it is not. */
  idsOf(batchId: string): string[] | undefined {
    return this.writing.get(batchId)?.ids;
  }

  /**
   * Waits until no id given is a batch being written or a row of one not yet written;
   * answers at once when none is (the usual case). While the data dir is full the rows
   * cannot be written: the request gets the 507 instead of waiting.
   */
  async settled(...ids: (string | undefined)[]): Promise<void> {
    for (;;) {
      const w = this.writingFor(ids);
      if (!w) return;
      const { storage } = this.parts.core;
      if (storage.full) throw storage.error();
      await Promise.race([w.done, new Promise(r => setTimeout(r, 1000))]);
    }
  }

  private writingFor(ids: (string | undefined)[]): Writing | undefined {
    if (this.writing.size === 0) return undefined;
    for (const id of ids) {
      if (!id) continue;
      const own = this.writing.get(id);
      if (own) return own;
      for (const w of this.writing.values()) {
        if (w.ids.indexOf(id) >= w.nextIdx) return w;
      }
    }
    return undefined;
  }

  private step(w: Writing): void {
    if (this.stopped) return;
    const { storage, log } = this.parts.core;
    try {
      storage.write(`the rows of batch ${w.batchId}`, () => {
        const t0 = performance.now();
        const more = this.chunk(w);
        // At most half the event loop: a rest as long as the chunk took, so big request
        // and answer bodies, exits and frames keep their pace while rows are written;
        // then its turn among the other chunked work (chunks.ts).
        if (more) {
          const rest = performance.now() - t0;
          setTimeout(() => void yieldLoop().then(() => this.step(w)), rest);
        } else void this.finish(w);
      });
    } catch (err) {
      // Not for space (Storage keeps those): the record stays for the next start.
      log.error({ err, batchId: w.batchId }, 'writing the rows of a batch failed');
      this.writing.delete(w.batchId);
      w.release();
    }
  }

  /** One chunk in one transaction; whether rows remain. */
  private chunk(w: Writing): boolean {
    const { store, life } = this.parts.core;
    const to = Math.min(w.nextIdx + WRITE_CHUNK, w.ids.length);
    life.commit(() => {
      // The batch's priority as it is now: a parent batch's change reaches its sub-batches.
      const parent: JobRow | undefined = store.jobs.get(w.batchId);
      const tpl = parent ? { ...w.tpl, priority: parent.priority } : w.tpl;
      insertRows(this.parts, w.batchId, tpl, w.ids, w.params, w.nextIdx, to);
      if (to >= w.ids.length) store.writes.remove(w.batchId);
    });
    w.nextIdx = to;
    return to < w.ids.length;
  }

  private async finish(w: Writing): Promise<void> {
    const { store, log, storage } = this.parts.core;
    this.parts.effects.kick();
    // Cancelled meanwhile from above (a parent batch's cancel, cancel.ts abortBelow): the
    // rows written since end like the others.
    try {
      if (store.batches.get(w.batchId)?.cancelled) await endCancelledRows(this.parts, w.batchId);
    } catch (err) {
      if (isStorageFull(err)) storage.markFull(err);
      else log.error({ err, batchId: w.batchId }, 'ending the rows of a cancelled batch failed');
    }
    this.writing.delete(w.batchId);
    w.release();
    log.info({ batchId: w.batchId, rows: w.ids.length }, 'batch rows written');
  }
}
