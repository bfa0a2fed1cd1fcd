/** The persisted event log: every job/batch change gets a global, increasing seq. */
import type { SequencedEvent } from '../protocol/events';
import type { DB } from './db';

export interface StoredEvent {
  seq: number;
  owner: string;
  batch_id: string | null;
  job_id: string | null;
  body: string;
}

export class EventQueries {
  private insertStmt;
  private sinceStmt;
  private maxStmt;
  private minStmt;
  private pruneStmt;

  constructor(db: DB) {
    this.insertStmt = db.prepare(
      'INSERT INTO events (at, owner, batch_id, job_id, body) VALUES (?, ?, ?, ?, ?)'
    );
    this.sinceStmt = db.prepare('SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?');
    // The sequence counter, not MAX(seq): pruning must never make seq go backwards.
    this.maxStmt = db.prepare(
      "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0) AS seq"
    );
    this.minStmt = db.prepare('SELECT MIN(seq) AS seq FROM events');
    this.pruneStmt = db.prepare('DELETE FROM events WHERE at < ? AND seq <= ?');
  }

  /** Appends the event and returns it with its seq filled in. */
  append<E extends SequencedEvent>(
    owner: string,
    batchId: string | null,
    jobId: string | null,
    event: Omit<E, 'seq'>
  ): E {
    const body = JSON.stringify(event);
    const info = this.insertStmt.run(Date.now(), owner, batchId, jobId, body);
    return { ...(event as object), seq: Number(info.lastInsertRowid) } as E;
  }

  since(seq: number, limit: number): StoredEvent[] {
    return this.sinceStmt.all(seq, limit) as StoredEvent[];
  }

  maxSeq(): number {
    return (this.maxStmt.get() as { seq: number }).seq;
  }

  minSeq(): number | null {
    return (this.minStmt.get() as { seq: number | null }).seq;
  }

  /**
   * Drops events older than the retention window, keeping the newest `keepAtLeast`;
   * clients asking for dropped ones get `reset`. maxSeq() never goes back.
   */
  prune(olderThanMs: number, keepAtLeast: number): number {
    const max = this.maxSeq();
    return this.pruneStmt.run(Date.now() - olderThanMs, max - keepAtLeast).changes;
  }
}
