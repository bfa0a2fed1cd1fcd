/** The store: one SQLite file, its query families, and the transaction helper. */
import { BatchQueries } from './batches';
import { openDatabase, type DB, type Stmt } from './db';
import { EventQueries } from './events';
import { JobQueries } from './jobs';

export class Store {
  readonly jobs: JobQueries;
  readonly batches: BatchQueries;
  readonly events: EventQueries;

  constructor(readonly db: DB) {
    this.jobs = new JobQueries(db);
    this.batches = new BatchQueries(db);
    this.events = new EventQueries(db);
  }

  static open(file: string): Store {
    return new Store(openDatabase(file));
  }

  private cache = new Map<string, Stmt>();

  /** A prepared statement, compiled once per SQL text (hot paths run many times a second). */
  prepare(sql: string): Stmt {
    let stmt = this.cache.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.cache.set(sql, stmt);
    }
    return stmt;
  }

  /** Runs fn in one transaction (nested calls join the outer one). */
  tx<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  close(): void {
    this.db.close();
  }
}

export type { JobRow, BatchRow } from './rows';
