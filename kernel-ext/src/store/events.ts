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
  private atOrAfterStmt;
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
    this.atOrAfterStmt = db.prepare(
      'SELECT seq, at FROM events WHERE seq >= ? ORDER BY seq LIMIT 1'
    );
    // A range of the primary key: the rows it deletes, nothing else. (`at < ?` in the
    // statement read every event up to the newest kept, millions in a server that ran a
    // week: a full scan in every reaper pass.)
    this.pruneStmt = db.prepare('DELETE FROM events WHERE seq <= ?');
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
   * Drops events older than the retention window, keeping the newest `keepAtLeast`, and
   * at most `limit` of them (the oldest), so one call stays short; clients asking for
   * dropped ones get `reset`. maxSeq() never goes back.
   */
  prune(olderThanMs: number, keepAtLeast: number, limit = Infinity): number {
    const min = this.minSeq();
    if (min === null) return 0;
    const max = this.maxSeq();
    const upTo = Math.min(
      max - keepAtLeast,
      this.lastBefore(Date.now() - olderThanMs, min, max),
      min + limit - 1
    );
    return upTo < min ? 0 : this.pruneStmt.run(upTo).changes;
  }

  /**
   * The seq of the newest event stored before `cutoff` (ms), or min - 1 if none: a binary
   * search on seq, a few primary-key reads. Events are appended in time order, so `at`
   * grows with seq (a clock set back makes the boundary a little early or late, never
   * more than by that step).
   */
  private lastBefore(cutoff: number, min: number, max: number): number {
    let found = min - 1;
    let lo = min;
    let hi = max;
    while (lo <= hi) {
      const mid = Math.floor((lo + hi) / 2);
      const e = this.atOrAfterStmt.get(mid) as { seq: number; at: number } | undefined;
      if (!e || e.seq > hi || e.at >= cutoff) {
        hi = mid - 1;
      } else {
        found = e.seq;
        lo = e.seq + 1;
      }
    }
    return found;
  }
}
